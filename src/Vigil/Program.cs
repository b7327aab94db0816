return await Vigil.Cli.CliRoot.RunAsync(args);
