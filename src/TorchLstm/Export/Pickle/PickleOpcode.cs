namespace TorchLstm.Export.Pickle;

/// <summary>
/// The pickle opcodes (protocol 2) that torch's own writers emit and its readers accept.
/// Values are the single opcode bytes from CPython's pickle.py.
/// </summary>
internal static class PickleOpcode
{
    internal const byte Mark = (byte)'(';
    internal const byte Stop = (byte)'.';
    internal const byte BinFloat = (byte)'G';
    internal const byte BinInt = (byte)'J';
    internal const byte BinInt1 = (byte)'K';
    internal const byte BinInt2 = (byte)'M';
    internal const byte None = (byte)'N';
    internal const byte BinPersId = (byte)'Q';
    internal const byte Reduce = (byte)'R';
    internal const byte BinUnicode = (byte)'X';
    internal const byte ShortBinUnicode = 0x8c;
    internal const byte Append = (byte)'a';
    internal const byte Build = (byte)'b';
    internal const byte Global = (byte)'c';
    internal const byte Dict = (byte)'d';
    internal const byte EmptyDict = (byte)'}';
    internal const byte Appends = (byte)'e';
    internal const byte BinGet = (byte)'h';
    internal const byte LongBinGet = (byte)'j';
    internal const byte List = (byte)'l';
    internal const byte EmptyList = (byte)']';
    internal const byte BinPut = (byte)'q';
    internal const byte LongBinPut = (byte)'r';
    internal const byte SetItem = (byte)'s';
    internal const byte Tuple = (byte)'t';
    internal const byte EmptyTuple = (byte)')';
    internal const byte SetItems = (byte)'u';
    internal const byte Proto = 0x80;
    internal const byte NewObj = 0x81;
    internal const byte Tuple1 = 0x85;
    internal const byte Tuple2 = 0x86;
    internal const byte Tuple3 = 0x87;
    internal const byte NewTrue = 0x88;
    internal const byte NewFalse = 0x89;
    internal const byte Long1 = 0x8a;
    internal const byte BinBytes = (byte)'B';
    internal const byte ShortBinBytes = (byte)'C';
    internal const byte Frame = 0x95;
    internal const byte Memoize = 0x94;
}
