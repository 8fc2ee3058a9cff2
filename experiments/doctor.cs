#:project ../src/TorchLstm/TorchLstm.csproj
#:property PublishAot=false
// The platform doctor: what this machine runs (OS, CPU and its instruction sets, libtorch and
// TorchSharp, threads, which native libraries were loaded and from where, the oneDNN decisions) and
// known-answer checks that every recurrent model gives the same answer in inference, in training mode
// and in float64. Exits 1 naming the failing cases when one disagrees.
//   dotnet run experiments/doctor.cs
// TORCHLSTM_ONEDNN_FIX=0 turns the library's LSTM inference fix off, to see libtorch's own behaviour.
using TorchLstm.Native;

var report = PlatformDoctor.Run();
Console.Write(report);
return report.Passed ? 0 : 1;
