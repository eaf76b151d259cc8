using Virt.Cli;

return await VirtCommandLine.RunAsync(args, CliContext.FromProcess());
