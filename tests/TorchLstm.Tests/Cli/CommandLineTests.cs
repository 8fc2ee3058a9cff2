using TorchLstm.Cli;

namespace TorchLstm.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void Parses_values_switches_and_lists()
    {
        var cli = new CommandLine(["--epochs", "7", "--quick", "--features=a, b", "--lr", "0.01", "--hidden", "64,32"]);
        Assert.Equal(7, cli.Int("epochs", 1, min: 1));
        Assert.True(cli.Flag("quick"));
        Assert.Equal(["a", "b"], cli.List("features"));
        Assert.Equal(0.01, cli.Double("lr", 1e-3, exclusiveMin: 0));
        Assert.Equal([64, 32], cli.IntList("hidden", [1]));
        Assert.Equal("x", cli.String("out", "x"));
        cli.RejectUnknown();
    }

    [Theory]
    [InlineData(new[] { "--epochs", "many" }, "--epochs must be a whole number, got 'many'")]
    [InlineData(new[] { "--epochs", "0" }, "--epochs must be at least 1, got 0")]
    [InlineData(new[] { "--lr", "-1" }, "--lr must be greater than 0, got -1")]
    [InlineData(new[] { "--lr", "NaN" }, "--lr must be a number, got 'NaN'")]
    [InlineData(new[] { "--hidden", "64,x" }, "--hidden must be a comma-separated list of positive whole numbers")]
    public void Malformed_values_name_the_flag(string[] args, string expected)
    {
        var cli = new CommandLine(args);
        var e = Assert.Throws<UsageException>(() =>
        {
            cli.Int("epochs", 1, min: 1);
            cli.Double("lr", 1e-3, exclusiveMin: 0);
            cli.IntList("hidden", [1]);
        });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unknown_flags_are_listed_with_the_known_ones()
    {
        var cli = new CommandLine(["--epoch", "3"]);
        cli.Int("epochs", 1);
        var e = Assert.Throws<UsageException>(cli.RejectUnknown);
        Assert.Equal("unknown flag --epoch; known flags: --epochs", e.Message);
    }

    [Fact]
    public void Positional_arguments_and_repeats_are_rejected()
    {
        Assert.Contains("unexpected argument 'data.csv'", Assert.Throws<UsageException>(() => new CommandLine(["data.csv"])).Message);
        Assert.Contains("--seed is given twice", Assert.Throws<UsageException>(() => new CommandLine(["--seed", "1", "--seed", "2"])).Message);
    }

    [Fact]
    public void Host_turns_user_errors_into_one_line_and_exit_code_2()
    {
        var stderr = new StringWriter();
        var original = Console.Error;
        Console.SetError(stderr);
        try
        {
            int code = ExperimentHost.Run(["--csv", "missing.csv"], cli => throw new FileNotFoundException($"no such file: {cli.Optional("csv")}\nsecond line"));
            Assert.Equal(ExperimentHost.UserErrorExitCode, code);
        }
        finally { Console.SetError(original); }
        Assert.Equal("error: no such file: missing.csv second line", stderr.ToString().Trim());
    }
}
