using System.Data.Common;

namespace Engram.Core.Storage;

/// <summary>Binding a value the same way on either store's commands (both providers accept "@name").</summary>
internal static class DbParameters
{
    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
