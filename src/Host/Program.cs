// virtd: the daemon arrives with the daemon issue; until then it says so and exits non-zero.
Console.Error.WriteLine("error: virtd is not built yet; use 'virt run' or the library");
return 1;
