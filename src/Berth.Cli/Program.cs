await Console.Error.WriteLineAsync("berth: not built yet").ConfigureAwait(false);
return 1;
