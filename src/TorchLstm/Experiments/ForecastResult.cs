using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;
using TorchLstm.IO;
using TorchLstm.Notebooks;

namespace TorchLstm.Experiments;

/// <summary>
/// A trained forecaster and its test-set results on the original scale, next to the naive
/// persistence forecast (tomorrow = today).
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
public sealed class ForecastResult : IDisposable
{
    private ForecastResult(
        StackedRecurrent model, nn.Module<Tensor, Tensor> forecaster, History history, ForecastData data, ModelSummary summary, double trainSeconds)
    {
        Model = model;
        Forecaster = forecaster;
        History = history;
        Data = data;
        Summary = summary;
        TrainSeconds = trainSeconds;
    }

    /// <summary>The trained recurrent network (best weights restored when early stopping ran), in eval mode.</summary>
    public StackedRecurrent Model { get; }

    /// <summary>
    /// What maps scaled windows to scaled forecasts: <see cref="Model"/> itself, or a
    /// <see cref="ResidualForecaster"/> around it when the options asked to predict the change.
    /// </summary>
    public nn.Module<Tensor, Tensor> Forecaster { get; }

    /// <summary>Per-epoch losses, metrics and learning rates.</summary>
    public History History { get; }

    /// <summary>The prepared splits and the fitted scaler.</summary>
    public ForecastData Data { get; }

    /// <summary>The model summary printed before training.</summary>
    public ModelSummary Summary { get; }

    /// <summary>Wall-clock seconds spent in <see cref="ExperimentRunner.Fit"/>.</summary>
    public double TrainSeconds { get; }

    /// <summary>Test targets on the original scale, [window, horizon step].</summary>
    public double[,] Truth { get; private set; } = new double[0, 0];

    /// <summary>Model forecasts on the original scale, [window, horizon step].</summary>
    public double[,] Predicted { get; private set; } = new double[0, 0];

    /// <summary>The quantile levels the network forecasts (<see cref="ForecastExperimentOptions.Quantiles"/>); null for a point-only network.</summary>
    public IReadOnlyList<double>? Quantiles { get; private set; }

    /// <summary>
    /// The network's quantile forecasts on the original scale, [window, horizon step, level] in the order of
    /// <see cref="Quantiles"/>, sorted along the levels; null for a point-only network.
    /// </summary>
    public double[,,]? PredictedQuantiles { get; private set; }

    /// <summary>Persistence forecasts on the original scale, [window, horizon step].</summary>
    public double[,] Persistence { get; private set; } = new double[0, 0];

    /// <summary>Timestamp of each test target, [window, horizon step], when the data had dates.</summary>
    public DateTime[,]? Timestamps => Data.TestTargetTimestamps;

    /// <summary>Root-mean-square error of the model over every test target.</summary>
    public double Rmse { get; private set; }

    /// <summary>Mean absolute error of the model over every test target.</summary>
    public double Mae { get; private set; }

    /// <summary>RMSE of the persistence forecast.</summary>
    public double BaselineRmse { get; private set; }

    /// <summary>MAE of the persistence forecast.</summary>
    public double BaselineMae { get; private set; }

    internal static ForecastResult Evaluate(
        StackedRecurrent model, nn.Module<Tensor, Tensor> forecaster, History history, ForecastData data, ModelSummary summary, double trainSeconds,
        IReadOnlyList<double>? quantiles = null)
    {
        var result = new ForecastResult(model, forecaster, history, data, summary, trainSeconds);
        var test = data.Test!;
        using (var scope = NewDisposeScope())
        {
            var predicted = data.InverseTarget(new ExperimentRunner().Predict(forecaster, test.Inputs));
            var truth = data.OriginalTargets(test);
            var persistence = data.NaivePersistence(test);
            if (quantiles is null)
            {
                result.Predicted = ToMatrix(predicted);
            }
            else
            {
                using var cpu = predicted.to(float64).cpu().contiguous();
                (result.Predicted, result.PredictedQuantiles) = Forecasting.QuantileOutputs.Split(
                    cpu.data<double>().ToArray(), (int)cpu.shape[0], data.Options.Horizon, quantiles.Count);
                result.Quantiles = [.. quantiles];
            }
            result.Truth = ToMatrix(truth);
            result.Persistence = ToMatrix(persistence);
        }
        double[] truthFlat = Flatten(result.Truth);
        result.Rmse = Metrics.Rmse(Flatten(result.Predicted), truthFlat);
        result.Mae = Metrics.Mae(Flatten(result.Predicted), truthFlat);
        result.BaselineRmse = Metrics.Rmse(Flatten(result.Persistence), truthFlat);
        result.BaselineMae = Metrics.Mae(Flatten(result.Persistence), truthFlat);
        return result;
    }

    /// <summary>
    /// The figures written to <c>metrics.json</c>: <c>rmse</c>, <c>mae</c>, <c>baseline_rmse</c>,
    /// <c>baseline_mae</c>, <c>epochs_run</c>, <c>best_epoch</c>, <c>train_seconds</c>, the setup, and
    /// <c>weights_sha256</c> (<see cref="WeightHash.Sha256"/> of the final weights, equal for runs that
    /// ended bit-identical, such as a resumed run and an uninterrupted one). A network trained with quantiles adds
    /// <c>quantiles</c> and the test coverage of its 80 % and 95 % intervals (<c>coverage_80</c>, <c>coverage_95</c>)
    /// when their quantiles are among the levels.
    /// </summary>
    public JsonObject MetricsJson()
    {
        var json = PointMetricsJson();
        if (Quantiles is not null && PredictedQuantiles is not null)
        {
            json["quantiles"] = new JsonArray([.. Quantiles.Select(q => JsonValue.Create(q))]);
            foreach (double nominal in Forecasting.PredictionIntervals.ReportedIntervals)
                if (Forecasting.PredictionIntervals.HasInterval(Quantiles, nominal))
                    json[string.Create(CultureInfo.InvariantCulture, $"coverage_{nominal * 100:0}")] =
                        Forecasting.PredictionIntervals.Coverage(PredictedQuantiles, Quantiles, Truth, nominal).Coverage;
        }
        return json;
    }

    private JsonObject PointMetricsJson() => new()
    {
        ["target"] = Data.TargetColumn,
        ["features"] = new JsonArray([.. Data.Columns.Select(c => JsonValue.Create(c))]),
        ["lookback"] = Data.Options.Lookback,
        ["horizon"] = Data.Options.Horizon,
        ["test_windows"] = Truth.GetLength(0),
        ["rmse"] = Rmse,
        ["mae"] = Mae,
        ["baseline_rmse"] = BaselineRmse,
        ["baseline_mae"] = BaselineMae,
        ["rmse_over_baseline"] = Rmse / BaselineRmse,
        ["epochs_run"] = History.Count,
        ["best_epoch"] = History.BestEpoch,
        ["stop_reason"] = History.StopReason.ToString(),
        ["train_seconds"] = Math.Round(TrainSeconds, 3),
        ["parameters"] = Summary.TotalParameters,
        ["predicts_change"] = Forecaster is ResidualForecaster,
        ["resumed_from"] = History.ResumedFrom,
        ["weights_sha256"] = WeightHash.Sha256(Forecaster),
    };

    /// <summary>
    /// Writes <c>metrics.json</c>, <c>history.csv</c>, <c>loss.png</c>, <c>predictions.png</c>,
    /// <c>model.pt</c> (the trained weights) and <c>scaler.json</c> into <paramref name="directory"/>.
    /// </summary>
    public void WriteArtifacts(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var json = MetricsJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(directory, "metrics.json"), json + Environment.NewLine);
        AtomicFile.WriteAllText(Path.Combine(directory, "history.csv"), History.ToCsv());
        ModelCheckpoint.Save(Forecaster, Path.Combine(directory, "model.pt"));
        Data.Scaler.Save(Path.Combine(directory, "scaler.json"));

        Plots.LossCurves(Path.Combine(directory, "loss.png"), History.Series(LogNames.Loss),
            History.Epochs.All(e => e.ValidationLoss is not null) ? History.Series(LogNames.ValidationLoss) : null,
            History.Series(LogNames.LearningRate), History.BestEpoch,
            new PlotOptions { Title = $"{Data.TargetColumn}: training and validation loss (scaled MSE)" });

        // The first horizon step of every test window forms one continuous line over the test range.
        var truth = Column(Truth, 0);
        var predicted = Column(Predicted, 0);
        var baselines = new[] { new NamedSeries("persistence (tomorrow = today)", Column(Persistence, 0)) };
        var options = new PlotOptions
        {
            Title = string.Create(CultureInfo.InvariantCulture, $"{Data.TargetColumn} on the test range: RMSE {Rmse:F3} vs persistence {BaselineRmse:F3}"),
            YLabel = Data.TargetColumn,
            Width = 1100,
        };
        string path = Path.Combine(directory, "predictions.png");
        if (Timestamps is { } stamps)
            Plots.Predictions(path, Enumerable.Range(0, stamps.GetLength(0)).Select(i => stamps[i, 0]).ToArray(), truth, predicted, baselines, options);
        else
            Plots.Predictions(path, truth, predicted, baselines, options: options);
    }

    /// <summary>
    /// The test forecasts as a frame, one row per test window and horizon step: <c>date</c> (the forecast value's timestamp; a
    /// <c>window</c> index instead when the data had no dates), <c>step</c> (1-based), <c>actual</c>, <c>predicted</c> and
    /// <c>persistence</c>, all on the original scale.
    /// </summary>
    public DataFrame TestPredictions()
    {
        int windows = Truth.GetLength(0), steps = Truth.GetLength(1);
        var step = new Int32DataFrameColumn("step");
        var (actual, predicted, persistence) = (new DoubleDataFrameColumn("actual"), new DoubleDataFrameColumn("predicted"), new DoubleDataFrameColumn("persistence"));
        DataFrameColumn key = Timestamps is null ? new Int32DataFrameColumn("window") : new PrimitiveDataFrameColumn<DateTime>("date");
        for (int w = 0; w < windows; w++)
            for (int h = 0; h < steps; h++)
            {
                if (key is PrimitiveDataFrameColumn<DateTime> dates) dates.Append(Timestamps![w, h]);
                else ((Int32DataFrameColumn)key).Append(w);
                step.Append(h + 1);
                actual.Append(Truth[w, h]);
                predicted.Append(Predicted[w, h]);
                persistence.Append(Persistence[w, h]);
            }
        return new DataFrame(key, step, actual, predicted, persistence);
    }

    /// <summary>Disposes the model and the prepared data.</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(Forecaster, Model)) Forecaster.Dispose();
        Model.Dispose();
        Data.Dispose();
    }

    private static double[,] ToMatrix(Tensor values)
    {
        using var cpu = values.to(float64).cpu().contiguous();
        long rows = cpu.shape[0], columns = cpu.numel() / Math.Max(1, rows);
        var flat = cpu.data<double>().ToArray();
        var matrix = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
        return matrix;
    }

    private static double[] Flatten(double[,] matrix)
    {
        var flat = new double[matrix.Length];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        return flat;
    }

    private static double[] Column(double[,] matrix, int column) =>
        Enumerable.Range(0, matrix.GetLength(0)).Select(i => matrix[i, column]).ToArray();
}
