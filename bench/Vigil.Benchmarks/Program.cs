using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Vigil.Benchmarks -- --filter '*'   (see docs/benchmarks.md)
BenchmarkSwitcher.FromAssembly(typeof(Vigil.Benchmarks.StaticAnalysisBenchmarks).Assembly).Run(args);
