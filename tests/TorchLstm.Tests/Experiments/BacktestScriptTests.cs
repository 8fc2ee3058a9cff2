using System.Globalization;
using System.Text.Json.Nodes;
using TorchLstm.Tests.Reliability;

namespace TorchLstm.Tests.Experiments;

/// <summary><c>experiments/backtest.cs --quick</c> on a CSV of its own, as a user runs it.</summary>
[Trait("Category", "Slow")]
public class BacktestScriptTests
{
    [Fact]
    public void The_backtest_script_runs_on_any_monthly_csv_and_writes_the_figures_the_readme_quotes()
    {
        string folder = Directory.CreateTempSubdirectory("backtest-script").FullName;
        try
        {
            // Ten years of a monthly seasonal series with a trend and a missing month (filled by --missing interpolate).
            string csv = Path.Combine(folder, "sales.csv");
            var lines = new List<string> { "month,sales,promo" };
            for (int i = 0; i < 120; i++)
            {
                if (i == 50) continue;
                var month = new DateTime(2010, 1, 1).AddMonths(i);
                double sales = 100 + 0.5 * i + 10 * Math.Sin(2 * Math.PI * i / 12) + (i * 7919 % 13) / 13.0;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{month:yyyy-MM-dd},{sales:F3},{i % 3}"));
            }
            File.WriteAllLines(csv, lines);
            string output = Path.Combine(folder, "out");

            using var run = ScriptProcess.Start("backtest.cs",
                ["--quick", "--csv", csv, "--target", "sales", "--date", "month", "--missing", "interpolate", "--out", output], build: true);
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(6)), run.Describe());
            Assert.True(run.ExitCode == 0, run.Describe());

            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!.AsObject();
            foreach (string key in new[] { "best_baseline", "best_baseline_rmse", "lstm_rmse", "dm_pvalue", "coverage_80", "coverage_95" })
                Assert.True(metrics.ContainsKey(key), $"metrics.json lacks {key}");
            Assert.Equal(3, (int)metrics["folds"]!);
            Assert.InRange((double)metrics["lstm_rmse"]!, 0.01, 100);
            Assert.Contains("1 timestamps inserted", (string)metrics["note"]!);
            // Monthly data: the seasonal naive and climatology baselines are the monthly ones.
            Assert.NotNull(metrics["models"]!["seasonal_naive_12"]);
            Assert.NotNull(metrics["models"]!["climatology_month"]);
            Assert.True(File.Exists(Path.Combine(output, "sales", "fold_errors.png")));
            Assert.Contains("the LSTM", run.StandardOutput);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_csv_without_its_date_column_is_a_usage_error_naming_the_flag()
    {
        using var run = ScriptProcess.Start("backtest.cs", ["--csv", "no-such.csv", "--target", "y"], build: true);
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(6)), run.Describe());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--csv needs --date COL", run.StandardError + run.StandardOutput);
    }
}
