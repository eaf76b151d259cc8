using Virt.Cli;

return await VirtCommandLine.Create().Parse(args).InvokeAsync();
