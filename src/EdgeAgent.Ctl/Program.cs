using EdgeAgent.Ctl;

return await CtlCli.InvokeAsync(args, Console.Out, Console.Error);
