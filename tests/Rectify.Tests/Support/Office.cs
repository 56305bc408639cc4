using System.Diagnostics;

namespace Rectify.Tests.Support;

/// <summary>
/// Renders an Office file the way a person would see it printed: LibreOffice (Debian's libreoffice-writer-nogui and
/// libreoffice-calc-nogui, installed by tests/infra/ensure-services.sh) converts it to PDF headless, and pdftoppm
/// (poppler-utils) makes a PNG of each page. Both land in artifacts/documents (or RECTIFY_DOCUMENTS), kept after the run.
/// </summary>
public static class Office
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("RECTIFY_DOCUMENTS") is { Length: > 0 } folder
        ? folder : Path.Combine(Browser.RepositoryRoot(), "artifacts", "documents");

    /// <summary>One LibreOffice at a time: two conversions on one profile would fight over it.</summary>
    private static readonly SemaphoreSlim One = new(1, 1);

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/> (e.g. ledger.xlsx), renders it; returns the PDF's path and the pages' PNGs.</summary>
    public static async Task<(string Pdf, IReadOnlyList<string> Pages)> RenderAsync(string name, byte[] bytes, int dpi = 80)
    {
        Directory.CreateDirectory(Folder);
        var source = Path.Combine(Folder, name);
        await File.WriteAllBytesAsync(source, bytes);
        var stem = Path.GetFileNameWithoutExtension(name);
        var pdf = Path.Combine(Folder, stem + ".pdf");
        File.Delete(pdf);
        await One.WaitAsync();
        try
        {
            var profile = Path.Combine(Path.GetTempPath(), "rectify-libreoffice-profile");
            await RunAsync("soffice", ["--headless", "--norestore", $"-env:UserInstallation=file://{profile}", "--convert-to", "pdf", "--outdir", Folder, source]);
        }
        finally
        {
            One.Release();
        }
        if (!File.Exists(pdf)) throw new InvalidOperationException($"LibreOffice wrote no {pdf}");
        foreach (var old in Directory.GetFiles(Folder, stem + "-page-*.png")) File.Delete(old);
        await RunAsync("pdftoppm", ["-png", "-r", dpi.ToString(), pdf, Path.Combine(Folder, stem + "-page")]);
        return (pdf, Directory.GetFiles(Folder, stem + "-page-*.png").Order().ToList());
    }

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited {process.ExitCode}: {await output} {await error}");
    }
}
