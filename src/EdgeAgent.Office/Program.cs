return await EdgeAgent.Office.OfficeCli.InvokeAsync(args, Console.Out, Console.Error, Console.In);
