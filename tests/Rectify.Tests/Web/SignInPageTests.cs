using OpenQA.Selenium;
using Rectify.Tests.Support;

namespace Rectify.Tests.Web;

/// <summary>The login page in a real browser: a demo account signs in, a wrong password is refused in Chinese.</summary>
[Collection("web")]
public sealed class SignInPageTests(DemoSuite suite)
{
    [Fact]
    public void A_county_reviewer_signs_in_and_the_bar_names_them_and_a_wrong_password_is_refused()
    {
        using var browser = Browser.Start();
        browser.Open($"{suite.Url}/#/login");
        var form = browser.WaitFor("#login");
        browser.Screenshot("login-office");
        form.FindElement(By.Name("userName")).SendKeys("county.reviewer");
        form.FindElement(By.Name("password")).SendKeys("wrong-password-1");
        form.FindElement(By.CssSelector("button[type=submit]")).Click();
        var error = browser.WaitFor("#login .field-error");
        Assert.Contains("用户名、密码错误", error.Text);

        browser.SignIn(suite.Url, "county.reviewer", DemoSuite.Password);
        Assert.Contains("于都县委组织部组织二科", browser.WaitFor("#bar .who").Text);
        Assert.Contains("#/overview/360731000000/", browser.Driver.Url);
    }
}
