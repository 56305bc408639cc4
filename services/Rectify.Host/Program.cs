using Rectify.Host;
using Rectify.Platform.Hosting;

// `--demo` is short for --Rectify:Demo=true; everything else is ordinary .NET configuration
// (appsettings.json, RECTIFY__… environment variables, --Rectify:… arguments).
args = [.. args.Select(a => a == "--demo" ? "--Rectify:Demo=true" : a)];
var builder = WebApplication.CreateBuilder(args);
var modules = ServiceCatalog.Select(builder.Configuration["Rectify:Services"]);
builder.AddRectify(modules);
var app = await builder.BuildRectifyAsync(modules);
await app.StartRectifyAsync(modules);
await app.WaitForShutdownAsync();
