using EdgeAgent.Cli;

return await AgentCli.InvokeAsync(args);
