using Rectify.Host;
using Rectify.Platform.Hosting;

NativeMemory.CapMallocArenas();

// `--demo` is short for --Rectify:Demo=true; everything else is ordinary .NET configuration
// (appsettings.json, RECTIFY__… environment variables, --Rectify:… arguments).
args = [.. args.Select(a => a == "--demo" ? "--Rectify:Demo=true" : a)];
// `backup FOLDER` / `restore FOLDER`: copy a standalone suite's SQLite files, then exit (docs/backup.md).
if (await Backup.RunAsync(args) is { } exitCode) return exitCode;
var builder = WebApplication.CreateBuilder(args);
var modules = ServiceCatalog.Select(builder.Configuration["Rectify:Services"]);
builder.AddRectify(modules);
var app = await builder.BuildRectifyAsync(modules);
await app.StartRectifyAsync(modules);
await app.WaitForShutdownAsync();
return 0;
