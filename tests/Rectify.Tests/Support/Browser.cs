using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Chromium;
using OpenQA.Selenium.Support.UI;

namespace Rectify.Tests.Support;

/// <summary>
/// A real headless Chromium from Debian's packages, driven through its ChromeDriver (both installed by the test command,
/// tests/infra/ensure-services.sh). Office screen or phone; screenshots go to artifacts/screenshots at the repository root.
/// </summary>
public sealed class Browser : IDisposable
{
    public enum Screen { Office, Phone }

    private readonly string _profile;

    private Browser(ChromeDriver driver, string profile)
    {
        Driver = driver;
        _profile = profile;
    }

    public ChromeDriver Driver { get; }

    public static Browser Start(Screen screen = Screen.Office)
    {
        var profile = Directory.CreateTempSubdirectory("rectify-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        // The flags that keep Chromium from calling out: the intranet has no internet, and this machine refuses it.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions", "--lang=zh-CN",
            $"--user-data-dir={profile}");
        if (screen == Screen.Phone)
            options.EnableMobileEmulation(new ChromiumMobileEmulationDeviceSettings
            {
                Width = 390, Height = 844, PixelRatio = 2, EnableTouchEvents = true,
                UserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            });
        else options.AddArgument("--window-size=1366,768");
        // The driver from Debian's package, named outright, so Selenium Manager never looks for one on the internet.
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        // The page's own area is 1366×768 however much the window's frame takes.
        if (screen == Screen.Office)
            driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new() { ["width"] = 1366, ["height"] = 768, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        return new Browser(driver, profile);
    }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Signs in on the login page of the suite at baseUrl and waits for the top bar to name the person.</summary>
    public void SignIn(string baseUrl, string userName, string password)
    {
        Open($"{baseUrl}/#/login");
        var form = WaitFor("#login");
        foreach (var (name, value) in new[] { ("userName", userName), ("password", password) })
        {
            var input = form.FindElement(By.Name(name));
            input.Clear();
            input.SendKeys(value);
        }
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        // The bar names the person on an office screen; a phone hides the name, so wait for the bar's links.
        WaitFor("#bar nav");
    }

    /// <summary>The first element matching the CSS selector, once it is displayed.</summary>
    public IWebElement WaitFor(string css, TimeSpan? timeout = null) =>
        Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed), timeout, $"no visible '{css}'");

    public T Until<T>(Func<IWebDriver, T?> condition, TimeSpan? timeout = null, string? what = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? TimeSpan.FromSeconds(20)) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        try { return wait.Until(d => condition(d))!; }
        catch (WebDriverTimeoutException e)
        {
            Screenshot($"timeout-{DateTime.UtcNow:HHmmss}");
            throw new WebDriverTimeoutException($"{what ?? "condition"} after {wait.Timeout.TotalSeconds:0} s at {Driver.Url}", e);
        }
    }

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>Writes a PNG of the page as it is now; returns its path.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, $"{name}.png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>artifacts/screenshots beside Rectify.sln (or RECTIFY_SCREENSHOTS), kept after the run for people to look at.</summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("RECTIFY_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }

    public void Dispose()
    {
        Driver.Quit();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { /* Chromium may still hold a file for a moment */ }
    }
}
