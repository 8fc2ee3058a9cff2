using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class StreamingPredictorTests
{
    private const int Steps = 40;

    // The batch reference: the model run from a zero state over every observation so far.
    private static double[] Whole(torch.nn.Module<torch.Tensor, torch.Tensor> model, torch.Tensor scaledRows, int upTo)
    {
        using var noGrad = torch.no_grad();
        using var output = model.call(scaledRows.narrow(0, 0, upTo).unsqueeze(0));
        using var values = output[0].to(torch.ScalarType.Float64);
        return values.data<double>().ToArray();
    }

    public static TheoryData<RecurrentCell> Cells => [RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.Rnn];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Every_streamed_forecast_equals_the_model_run_over_the_whole_history(RecurrentCell cell)
    {
        torch.random.manual_seed(11);
        using torch.nn.Module<torch.Tensor, torch.Tensor> model = cell switch
        {
            RecurrentCell.Lstm => new StackedLstm(3, [8, 6], 2, dropout: 0.3),
            RecurrentCell.Gru => new StackedGru(3, [8, 6], 2, dropout: 0.3),
            _ => new StackedRnn(3, [8, 6], 2, dropout: 0.3),
        };
        using var rows = torch.randn(Steps, 3);
        using var streaming = new StreamingPredictor(model);

        for (int t = 1; t <= Steps; t++)
        {
            var streamed = streaming.Update(rows[t - 1].to(torch.ScalarType.Float64).data<double>().ToArray());
            var whole = Whole(model, rows, t);
            for (int h = 0; h < 2; h++) Assert.Equal(whole[h], streamed[h], 1e-5);
        }
        Assert.Equal(Steps, streaming.Steps);
    }

    [Fact]
    public void On_the_original_scale_with_a_residual_forecaster_it_equals_the_scaled_batch_forecast()
    {
        torch.random.manual_seed(5);
        using var inner = new StackedLstm(2, [7], 3);
        using var model = new ResidualForecaster(inner, targetColumn: 1);
        using var raw = torch.rand(Steps, 2) * 20 + 5;
        var scaler = new MinMaxScaler().Fit(raw.narrow(0, 0, 25));
        using var scaled = scaler.Transform(raw);
        using var streaming = new StreamingPredictor(model, scaler, targetIndex: 1);

        for (int t = 1; t <= Steps; t++)
        {
            var streamed = streaming.Update(raw[t - 1].to(torch.ScalarType.Float64).data<double>().ToArray());
            using var wholeScaled = torch.tensor(Whole(model, scaled, t));
            using var expected = scaler.InverseTransformColumn(wholeScaled, 1);
            var values = expected.data<double>().ToArray();
            for (int h = 0; h < 3; h++) Assert.Equal(values[h], streamed[h], 1e-4);
        }
    }

    [Fact]
    public void A_saved_state_resumes_exactly_in_another_predictor_and_a_warm_up_on_a_block_equals_step_by_step()
    {
        torch.random.manual_seed(8);
        using var model = new StackedLstm(1, [5, 4], 1);
        using var rows = torch.randn(30, 1, dtype: torch.ScalarType.Float64);
        using var first = new StreamingPredictor(model);
        for (int t = 0; t < 20; t++) first.Update(rows[t].data<double>().ToArray());
        string saved = first.SaveState().ToJson();
        var continued = Enumerable.Range(20, 10).Select(t => first.Update(rows[t].data<double>().ToArray())[0]).ToArray();

        using var second = new StreamingPredictor(model);
        second.RestoreState(StreamingState.FromJson(saved));
        Assert.Equal(20, second.Steps);
        var resumed = Enumerable.Range(20, 10).Select(t => second.Update(rows[t].data<double>().ToArray())[0]).ToArray();
        Assert.Equal(continued, resumed);

        using var warmed = new StreamingPredictor(model);
        var afterBlock = warmed.UpdateMany(rows.narrow(0, 0, 30));
        Assert.Equal(continued[^1], afterBlock[0], 1e-6);

        warmed.Reset();
        Assert.Equal(0, warmed.Steps);
        Assert.Null(warmed.LastForecast);
    }

    [Fact]
    public void Models_that_cannot_stream_and_states_that_do_not_fit_are_rejected()
    {
        using var bidirectional = new BidirectionalRnn(RecurrentCell.Lstm, 1, [4], 1);
        Assert.Contains("bidirectional", Assert.Throws<ArgumentException>(() => new StreamingPredictor(bidirectional)).Message);

        using var model = new StackedGru(2, [4], 1);
        using var streaming = new StreamingPredictor(model);
        Assert.Contains("needs 2 values", Assert.Throws<ArgumentException>(() => streaming.Update(1.0)).Message);
        var wrong = new StreamingState(3, [new double[5]], [], null);
        Assert.Contains("hidden sizes [4]", Assert.Throws<ArgumentException>(() => streaming.RestoreState(wrong)).Message);
    }
}
