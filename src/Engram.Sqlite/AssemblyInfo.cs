using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Engram.Sqlite.Tests")]
[assembly: InternalsVisibleTo("Engram.Bench")]
