using TorchLstm;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

public class TorchThreadsTests
{
    [Fact]
    public void Small_models_get_one_thread_whatever_the_load()
    {
        // The tutorials' 1 → 16 LSTM and the seed model at batch 1: too little work per step to share.
        Assert.Equal(1, TorchThreads.Choose(parameters: 1_233, batchSize: 32, cores: 8, loadAverage: 0));
        Assert.Equal(1, TorchThreads.Choose(parameters: 37_571, batchSize: 1, cores: 8, loadAverage: 0));
    }

    [Fact]
    public void Large_models_get_the_idle_cores_and_one_thread_on_a_busy_machine()
    {
        // The seed model at batch 32 (1.2 million parameter-samples per step) on an idle 2-core machine: both cores.
        Assert.Equal(2, TorchThreads.Choose(parameters: 37_571, batchSize: 32, cores: 2, loadAverage: 0.1));
        // One core already busy, or the machine overloaded (load 20 measured while this rule was made): one thread.
        Assert.Equal(1, TorchThreads.Choose(parameters: 791_809, batchSize: 32, cores: 2, loadAverage: 1.0));
        Assert.Equal(1, TorchThreads.Choose(parameters: 791_809, batchSize: 32, cores: 2, loadAverage: 20));
        // Eight cores, three busy: five.
        Assert.Equal(5, TorchThreads.Choose(parameters: 791_809, batchSize: 32, cores: 8, loadAverage: 3.0));
    }

    [Fact]
    public void Choose_rejects_negative_counts_by_name()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.Choose(-1, 32)).ParamName);
        Assert.Equal("cores", Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.Choose(10, 32, cores: 0)).ParamName);
    }

    [Fact]
    public void An_explicit_count_is_used_during_the_work_and_the_previous_one_comes_back()
    {
        using var model = nn.Linear(4, 1);
        int before = torch.get_num_threads();
        int wanted = before == 1 ? 2 : 1;
        using (TorchThreads.Use(wanted, model, 32))
            Assert.Equal(wanted, torch.get_num_threads());
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void Fit_and_predict_reject_a_thread_count_below_one_by_name()
    {
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Threads = 0 }.Validate());
        Assert.Equal(nameof(TrainingOptions.Threads), bad.ParamName);
        using var model = nn.Linear(4, 1);
        using var inputs = zeros(3, 4);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => new ExperimentRunner().Predict(model, inputs, threads: 0)).ParamName);
    }
}
