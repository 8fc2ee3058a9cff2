using TorchLstm.Benchmarks;

namespace TorchLstm.Tests.Benchmarks;

public class LstmFlopsTests
{
    [Fact]
    public void A_matrix_product_costs_2mkn()
    {
        Assert.Equal(2.0 * 2048 * 2048 * 2048, LstmFlops.MatrixProduct(2048, 2048, 2048));
        Assert.Equal(2.0 * 3 * 4 * 5, LstmFlops.MatrixProduct(3, 4, 5));
    }

    [Fact]
    public void One_layer_counts_the_four_gates_from_input_and_hidden_state_at_every_step()
    {
        // B = 32, T = 50, I = 1, H = 60: 50 steps of (32 × 61)·(61 × 240).
        Assert.Equal(50 * 2.0 * 32 * 61 * 240, LstmFlops.LayerForward(32, 50, 1, 60));
    }

    [Fact]
    public void The_seed_network_adds_its_layers_and_head_and_training_triples_it()
    {
        double first = 50 * 2.0 * 32 * (1 + 60) * 240;   // 46,848,000
        double second = 50 * 2.0 * 32 * (60 + 50) * 200; // 70,400,000
        double head = 2.0 * 32 * 50 * 1;                 // 3,200
        Assert.Equal(117_251_200, first + second + head);
        Assert.Equal(first + second + head, LstmFlops.NetworkForward(32, 50, 1, [60, 50], 1));
        Assert.Equal(3 * (first + second + head), LstmFlops.NetworkTrainingStep(32, 50, 1, [60, 50], 1));
        Assert.Equal(first + second, LstmFlops.NetworkForward(32, 50, 1, [60, 50], 0));
    }

    [Fact]
    public void An_epoch_counts_the_smaller_last_batch_at_its_own_size()
    {
        double full = LstmFlops.NetworkTrainingStep(32, 50, 1, [64], 1);
        double last = LstmFlops.NetworkTrainingStep(4, 50, 1, [64], 1);
        Assert.Equal(2 * full + last, ScalingRun.EpochTrainingFlops(50, 64, 32, 68));
        Assert.Equal(4 * full, ScalingRun.EpochTrainingFlops(50, 64, 32, 128));
    }

    [Fact]
    public void Sizes_below_1_are_rejected_by_name()
    {
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => LstmFlops.LayerForward(0, 50, 1, 60)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => LstmFlops.LayerForward(1, 0, 1, 60)).ParamName);
        Assert.Equal("hiddenSizes", Assert.Throws<ArgumentOutOfRangeException>(() => LstmFlops.NetworkForward(1, 1, 1, [], 1)).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => LstmFlops.NetworkForward(1, 1, 1, [4], -1)).ParamName);
    }
}
