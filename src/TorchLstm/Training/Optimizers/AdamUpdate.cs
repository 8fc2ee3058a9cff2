using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Training.Optimizers;

/// <summary>The hyper-parameters of one parameter group for one Adam or AdamW step.</summary>
internal readonly record struct AdamSettings(
    double Beta1, double Beta2, double Eps, double LearningRate, double WeightDecay, bool Decoupled, bool Amsgrad, bool Maximize);

/// <summary>
/// The Adam/AdamW update of one parameter, in the order and with the operations TorchSharp uses, so that
/// results are identical; only the native scalars are shared and released, and the denominator is
/// built in place in one temporary.
/// </summary>
internal static class AdamUpdate
{
    public static void Apply(IEnumerable<Parameter> parameters, TorchSharp.Utils.OrderedDict<IntPtr, OptimizerState> states,
        StepScalars scalars, AdamSettings s)
    {
        foreach (var param in parameters)
        {
            switch (states[param.Handle])
            {
                case TorchSharp.Modules.Adam.State adam:
                    One(param, ref adam.step, adam.exp_avg, adam.exp_avg_sq, ref adam.max_exp_avg_sq, scalars, s);
                    break;
                case TorchSharp.Modules.AdamW.State adamW:
                    One(param, ref adamW.step, adamW.exp_avg, adamW.exp_avg_sq, ref adamW.max_exp_avg_sq, scalars, s);
                    break;
                default:
                    throw new InvalidOperationException($"parameter state of type {states[param.Handle].GetType().Name} is not Adam's");
            }
        }
    }

    private static void One(Parameter param, ref long step, Tensor expAvg, Tensor expAvgSq, ref Tensor maxExpAvgSq, StepScalars scalars, AdamSettings s)
    {
        var grad = param.grad;
        if (grad is null) return;
        if (s.Maximize) grad = grad.neg();
        step += 1;
        double biasCorrection1 = 1 - Math.Pow(s.Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(s.Beta2, step);

        if (s.Decoupled)
        {
            // Multiplying by exactly 1 changes nothing, so skipping it is exact and saves a pass over the weights.
            if (s.WeightDecay != 0) param.mul_(scalars.Of(1 - s.LearningRate * s.WeightDecay));
        }
        else if (s.WeightDecay != 0)
        {
            grad = grad.add(param, scalars.Of(s.WeightDecay));
        }

        expAvg.mul_(scalars.Of(s.Beta1)).add_(grad, scalars.Of(1 - s.Beta1));
        var gradConjugate = grad.is_complex() ? grad.conj() : grad;
        expAvgSq.mul_(scalars.Of(s.Beta2)).addcmul_(grad, gradConjugate, scalars.Of(1 - s.Beta2));

        Tensor denominator;
        if (s.Amsgrad)
        {
            var previous = maxExpAvgSq;
            maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            denominator = maxExpAvgSq.sqrt();
        }
        else
        {
            denominator = expAvgSq.sqrt();
        }
        denominator.div_(scalars.Of(Math.Sqrt(biasCorrection2))).add_(scalars.Of(s.Eps), scalars.Of(1));
        param.addcdiv_(expAvg, denominator, scalars.Of(-(s.LearningRate / biasCorrection1)));
    }
}
