Console.Error.WriteLine("edgeagent-sim: no simulated devices are built yet");
return 64;
