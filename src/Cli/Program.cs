using System.CommandLine;

var root = new RootCommand("virt: manage QEMU virtual machines the way virsh does");
return root.Parse(args).Invoke();
