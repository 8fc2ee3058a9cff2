#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// Rolling-origin backtest: the LSTM and GRU against every baseline (persistence, seasonal naive, drift,
// climatology, ridge autoregression on the same window), over 8 folds and 3 seeds, with the paired
// Diebold–Mariano test against the best baseline.
//   dotnet run experiments/backtest.cs -- [--csv FILE --target COL --date COL [--features A,B (default: every numeric column)]
//       [--missing reject|ffill|interpolate|drop]] [--folds 8] [--seeds 1,2,3] [--refit-every 2]
//       [--lookback N] [--horizon 1] [--hidden 32] [--epochs 40] [--patience 5]
//       [--calendar auto|none|day|month] [--difference auto|yes|no] [--datasets weather,co2,stocks]
//       [--quick] [--out DIR]
// Without --csv it runs the bundled data: Seattle weather (temp_max, daily), Mauna Loa CO2 (monthly,
// 5 missing months interpolated) and the five stocks (monthly prices), or those --datasets names.
// --calendar adds day-of-year or month sine/cosine columns to every model's inputs; --difference yes
// trains the networks on the target's first differences. "auto" (the default) is each bundled series'
// recipe, chosen by this backtest (see the README): day-of-year columns for the weather, day-of-year
// columns and differences for CO2, neither for the stocks; with --csv, auto means neither.
// --quick is a smoke run for the tests.
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Forecasting;

return ExperimentHost.Run(args, cli =>
{
    bool quick = cli.Flag("quick");
    var defaults = new BacktestStudyOptions();
    var options = defaults with
    {
        Folds = cli.Int("folds", quick ? 3 : defaults.Folds, min: 1),
        Seeds = cli.IntList("seeds", quick ? [1] : [.. defaults.Seeds]),
        RefitEvery = cli.Int("refit-every", quick ? 3 : defaults.RefitEvery, min: 1),
        Lookback = cli.Optional("lookback") is null ? null : cli.Int("lookback", 30, min: 1),
        Horizon = cli.Int("horizon", defaults.Horizon, min: 1),
        HiddenSizes = cli.IntList("hidden", quick ? [8] : [.. defaults.HiddenSizes]),
        Epochs = cli.Int("epochs", quick ? 2 : defaults.Epochs, min: 1),
        Patience = cli.Int("patience", defaults.Patience, min: 0),
    };
    string calendarFlag = cli.String("calendar", "auto"), differenceFlag = cli.String("difference", "auto");
    if (calendarFlag is not ("auto" or "none" or "day" or "month")) throw new UsageException($"--calendar must be auto, none, day or month; got '{calendarFlag}'");
    if (differenceFlag is not ("auto" or "yes" or "no")) throw new UsageException($"--difference must be auto, yes or no; got '{differenceFlag}'");
    // A series' recipe: its own choices unless the flags override them.
    BacktestStudyOptions Recipe(CalendarFeatures calendar, bool difference) => options with
    {
        Calendar = calendarFlag switch { "none" => CalendarFeatures.None, "day" => CalendarFeatures.DayOfYear, "month" => CalendarFeatures.MonthOfYear, _ => calendar },
        Differenced = differenceFlag switch { "yes" => true, "no" => false, _ => difference },
    };
    string output = cli.String("out", Path.Combine("experiments", "results", "backtest"));
    string? csv = cli.Optional("csv");
    var datasets = cli.List("datasets") ?? (quick ? ["weather"] : ["weather", "co2", "stocks"]);
    var unknown = datasets.Except(["weather", "co2", "stocks"]).ToList();
    if (unknown.Count > 0) throw new UsageException($"--datasets takes weather, co2 and stocks; got {string.Join(", ", unknown)}");
    var policy = cli.String("missing", "reject") switch
    {
        "reject" => MissingDataPolicy.Reject,
        "ffill" => MissingDataPolicy.ForwardFill,
        "interpolate" => MissingDataPolicy.Interpolate,
        "drop" => MissingDataPolicy.Drop,
        var other => throw new UsageException($"--missing must be reject, ffill, interpolate or drop; got '{other}'"),
    };
    var series = new List<BacktestSeries>();
    try
    {
        if (csv is not null)
        {
            string target = cli.Optional("target") ?? throw new UsageException("--csv needs --target COL (the column to forecast)");
            string date = cli.Optional("date") ?? throw new UsageException("--csv needs --date COL (the timestamps, for folds, frequency and climatology)");
            var features = cli.List("features");
            cli.RejectUnknown();
            if (!File.Exists(csv)) throw new UsageException($"CSV file '{csv}' does not exist");
            var cleaned = SeriesCleaning.FromDataFrame(CsvFrame.Load(csv), target, features, date, policy);
            series.Add(new BacktestSeries(Path.GetFileNameWithoutExtension(csv), cleaned.Table, $"{csv}: {cleaned.Report}", Recipe(CalendarFeatures.None, false)));
        }
        else
        {
            cli.RejectUnknown();
            if (datasets.Contains("weather"))
            {
                var weather = TimeSeriesTable.FromDataFrame(BundledDatasets.SeattleWeather(), "temp_max", dateColumn: "date");
                series.Add(new BacktestSeries("weather", quick ? Shorten(weather, 500) : weather,
                    "NOAA Seattle weather 2012–2015, next-day temp_max (°C) from precipitation, temp_max, temp_min and wind",
                    Recipe(CalendarFeatures.DayOfYear, false)));
            }
            if (datasets.Contains("co2"))
            {
                var co2 = SeriesCleaning.FromDataFrame(BundledDatasets.Co2Concentration(), "CO2", ["CO2"], "Date", MissingDataPolicy.Interpolate);
                series.Add(new BacktestSeries("co2", co2.Table, $"Mauna Loa CO2 (ppm), monthly 1958–2020, next month from CO2 alone; {co2.Report}",
                    Recipe(CalendarFeatures.DayOfYear, true)));
            }
            if (datasets.Contains("stocks"))
            {
                foreach (string symbol in new[] { "MSFT", "AMZN", "IBM", "GOOG", "AAPL" })
                    series.Add(new BacktestSeries($"stocks_{symbol}",
                        TimeSeriesTable.FromDataFrame(BundledDatasets.Stocks(symbol), "price", ["price"], "date"),
                        $"{symbol} monthly closing price (USD), next month from price alone", Recipe(CalendarFeatures.None, false)));
            }
        }
        BacktestReport.Run(series, options, output);
        Console.WriteLine($"wrote results.md, metrics.json and a folder per series to {output}");
        return 0;
    }
    finally
    {
        foreach (var s in series) s.Table.Dispose();
    }

    static TimeSeriesTable Shorten(TimeSeriesTable table, int rows)
    {
        using (table) return table.Slice(table.Length - rows, rows);
    }
});
