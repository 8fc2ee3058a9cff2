#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// Prediction intervals of the main job's network, measured: the LSTM trained with quantile outputs (MSE on the
// point forecast plus the pinball loss on the 2.5, 10, 50, 90 and 97.5 % quantiles) on the bundled Seattle
// temp_max, and the empirical coverage of its 80 % and 95 % intervals on the test block — raw, conformalized on
// the validation windows, and as empirical residual quantiles around the point output and around persistence.
// --backtest measures the same over the rolling-origin folds of experiments/backtest.cs's weather recipe (8 folds,
// refit every 2, day-of-year columns, the study's LSTM and budget) instead of the single test block.
//   dotnet run experiments/intervals.cs -- [--seeds 42,43,44] [--epochs 100] [--out DIR] [--backtest]
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Experiments;
using TorchLstm.Forecasting;
using TorchLstm.Training;

return ExperimentHost.Run(args, cli =>
{
    var defaults = new ForecastExperimentOptions();
    var seeds = cli.IntList("seeds", [42, 43, 44]);
    int epochs = cli.Int("epochs", defaults.Training.Epochs, min: 1);
    string output = cli.String("out", Path.Combine("experiments", "results", "intervals"));
    bool backtest = cli.Flag("backtest");
    cli.RejectUnknown();

    double[] levels = [0.025, 0.1, 0.5, 0.9, 0.975];
    if (backtest) return Backtested(seeds, levels, output);
    var pointRmse = new List<double>();
    var rows = new List<(int Seed, string Method, IntervalCoverage C80, IntervalCoverage C95, double Rmse)>();
    foreach (int seed in seeds)
    {
        var options = defaults with
        {
            Quantiles = levels,
            Training = defaults.Training with { Seed = seed, Epochs = epochs, Progress = ProgressMode.None },
        };
        using var result = ForecastExperiment.Run(options, TextWriter.Null);
        var data = result.Data;
        var network = QuantileNetworkForecaster.FromResult(result);
        using var validation = ForecastWindows.FromData(data, data.Validation!);
        using var test = ForecastWindows.FromData(data, data.Test!);
        using var validationTargets = data.OriginalTargets(data.Validation!);
        var validationActual = ToMatrix(validationTargets);
        var actual = result.Truth;
        IProbabilisticForecaster[] methods =
        [
            network,
            EmpiricalIntervals.Conformalize(network, validation, validationActual),
            EmpiricalIntervals.Fit(network, validation, validationActual, levels),
            EmpiricalIntervals.Fit(new Persistence(), validation, validationActual, levels),
        ];
        foreach (var method in methods)
        {
            var quantiles = method.PredictQuantiles(test);
            double rmse = ForecastMetrics.Evaluate(ForecastMetrics.Flatten(method.Predict(test)), ForecastMetrics.Flatten(actual)).Rmse;
            var row = (seed, method.Name, PredictionIntervals.Coverage(quantiles, levels, actual, 0.8),
                PredictionIntervals.Coverage(quantiles, levels, actual, 0.95), rmse);
            rows.Add(row);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed} {method.Name,-26} rmse {rmse:F3}  {row.Item3}  {row.Item4}"));
        }
        // Streaming: the whole history before the test block warms the state up, then each test day is checked
        // against the interval forecast the day before, as a monitor would.
        using (var series = ForecastExperiment.LoadTable(options))
        using (var predictor = StreamingPredictor.FromResult(result))
        {
            int testStart = (int)data.Split.TestStart;
            using var history = series.Values.narrow(0, 0, testStart).to(TorchSharp.torch.ScalarType.Float64);
            predictor.UpdateMany(history);
            var values = series.Values.to(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            int features = series.FeatureCount, days = (int)series.Length - testStart;
            var streamed = new double[days, 1, levels.Length];
            var observed = new double[days, 1];
            for (int d = 0; d < days; d++)
            {
                var before = predictor.LastQuantiles!;
                for (int q = 0; q < levels.Length; q++) streamed[d, 0, q] = before[0, q];
                var row = values.AsSpan((testStart + d) * features, features).ToArray();
                observed[d, 0] = row[data.TargetIndex];
                predictor.Update(row);
            }
            var s80 = PredictionIntervals.Coverage(streamed, levels, observed, 0.8);
            var s95 = PredictionIntervals.Coverage(streamed, levels, observed, 0.95);
            rows.Add((seed, "lstm streamed", s80, s95, double.NaN));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed} lstm streamed over {testStart} + {days} days  {s80}  {s95}"));
        }

        // The same network and seed trained for the point forecast alone: what the quantile outputs cost the point.
        using var pointOnly = ForecastExperiment.Run(options with { Quantiles = null }, TextWriter.Null);
        pointRmse.Add(pointOnly.Rmse);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {result.History.Count} epochs, {result.TrainSeconds:F1} s; point RMSE {result.Rmse:F3} (point-only network {pointOnly.Rmse:F3}, {pointOnly.History.Count} epochs) vs persistence {result.BaselineRmse:F3}"));
    }

    var table = new StringBuilder("| method | coverage 80 % (mean ± std) | width 80 % | coverage 95 % (mean ± std) | width 95 % | point RMSE |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    var json = new JsonObject { ["seeds"] = new JsonArray([.. seeds.Select(s => JsonValue.Create(s))]), ["test_forecasts"] = rows[0].C80.Count };
    foreach (var group in rows.GroupBy(r => r.Method))
    {
        var (m80, s80) = MeanStd(group.Select(r => r.C80.Coverage));
        var (m95, s95) = MeanStd(group.Select(r => r.C95.Coverage));
        double w80 = group.Average(r => r.C80.MeanWidth), w95 = group.Average(r => r.C95.MeanWidth), rmse = group.Average(r => r.Rmse);
        table.Append(string.Create(CultureInfo.InvariantCulture,
            $"| {group.Key} | {m80 * 100:F1} ± {s80 * 100:F1} % | {w80:F2} | {m95 * 100:F1} ± {s95 * 100:F1} % | {w95:F2} | {(double.IsNaN(rmse) ? "–" : rmse.ToString("F3", CultureInfo.InvariantCulture))} |\n"));
        json[group.Key] = new JsonObject
        {
            ["coverage_80"] = m80, ["coverage_80_std"] = s80, ["coverage_95"] = m95, ["coverage_95_std"] = s95,
            ["width_80"] = w80, ["width_95"] = w95, ["rmse"] = double.IsNaN(rmse) ? null : rmse,
            ["per_seed_coverage_80"] = new JsonArray([.. group.Select(r => JsonValue.Create(r.C80.Coverage))]),
            ["per_seed_coverage_95"] = new JsonArray([.. group.Select(r => JsonValue.Create(r.C95.Coverage))]),
        };
    }
    var (pm, ps) = MeanStd(pointRmse);
    table.Append(string.Create(CultureInfo.InvariantCulture, $"\nPoint-only network, same seeds: test RMSE {pm:F3} ± {ps:F3}.\n"));
    json["point_only_rmse"] = pm;
    Console.WriteLine();
    Console.WriteLine(table);
    Directory.CreateDirectory(output);
    File.WriteAllText(Path.Combine(output, "results.md"), table.ToString());
    File.WriteAllText(Path.Combine(output, "metrics.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
    return 0;
});

static int Backtested(int[] seeds, double[] levels, string output)
{
    var study = new BacktestStudyOptions { Seeds = seeds };
    using var weather = TimeSeriesTable.FromDataFrame(BundledDatasets.SeattleWeather(), "temp_max", dateColumn: "date");
    using var table = weather.WithCalendar(CalendarFeatures.DayOfYear);
    int lookback = 30;
    var network = BacktestStudy.NetworkOptions(RecurrentCell.Lstm, lookback, study) with { Quantiles = levels };
    var result = Backtest.Run(table,
        [
            IntervalStudy.EmpiricalPersistence(levels, lookback),
            IntervalStudy.QuantileNetwork(network, "lstm_quantiles"),
            IntervalStudy.QuantileNetwork(network, "lstm_quantiles_conformal", conformalize: true),
        ],
        1, new BacktestOptions { Folds = study.Folds, Seeds = study.Seeds, RefitEvery = study.RefitEvery, EvaluationFraction = study.EvaluationFraction },
        Console.Out);
    var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
        $"Backtest of the weather (temp_max, {result.Folds.Count} folds, {result.Actual.GetLength(0)} windows, seeds {string.Join(", ", seeds)}):\n\n"));
    var table80 = new StringBuilder("| model | coverage 80 % | coverage 95 % | per seed 80 % | per seed 95 % | RMSE |\n| --- | ---: | ---: | --- | --- | ---: |\n");
    var json = new JsonObject();
    foreach (var model in result.Runs.Select(r => r.Model).Distinct())
    {
        var runs = result.Runs.Where(r => r.Model == model).ToList();
        var c80 = runs.Select(r => BacktestResult.Coverage(r, result.Actual, 0.8)).ToList();
        var c95 = runs.Select(r => BacktestResult.Coverage(r, result.Actual, 0.95)).ToList();
        double rmse = runs.Average(r => ForecastMetrics.Evaluate(ForecastMetrics.Flatten(r.Forecasts), ForecastMetrics.Flatten(result.Actual)).Rmse);
        table80.Append(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {c80.Average() * 100:F1} % | {c95.Average() * 100:F1} % | {string.Join(", ", c80.Select(c => (c * 100).ToString("F1", CultureInfo.InvariantCulture)))} | {string.Join(", ", c95.Select(c => (c * 100).ToString("F1", CultureInfo.InvariantCulture)))} | {rmse:F3} |\n"));
        json[model] = new JsonObject { ["coverage_80"] = c80.Average(), ["coverage_95"] = c95.Average(), ["rmse"] = rmse };
    }
    text.Append(table80);
    Console.WriteLine();
    Console.WriteLine(text);
    Directory.CreateDirectory(output);
    File.WriteAllText(Path.Combine(output, "backtest.md"), text.ToString());
    File.WriteAllText(Path.Combine(output, "backtest.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
    return 0;
}

static double[,] ToMatrix(TorchSharp.torch.Tensor values)
{
    using var cpu = values.to(TorchSharp.torch.ScalarType.Float64).cpu().contiguous();
    var flat = cpu.data<double>().ToArray();
    var matrix = new double[cpu.shape[0], cpu.shape[1]];
    Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
    return matrix;
}

static (double Mean, double Std) MeanStd(IEnumerable<double> values)
{
    var list = values.ToList();
    double mean = list.Average();
    return (mean, list.Count < 2 ? 0 : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)));
}
