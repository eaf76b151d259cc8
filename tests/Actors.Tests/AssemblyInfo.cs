// The config store tests need UNIX file modes; Virt runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
