namespace Rectify.Documents.Word;

/// <summary>Dates as documents print them: 2026年11月25日, 2026年11月.</summary>
public static class ChineseDates
{
    public static string Day(DateOnly day) => $"{day.Year}年{day.Month}月{day.Day}日";

    public static string Day(Common.V1.Date? day) => day is null || day.Year == 0 ? "" : $"{day.Year}年{day.Month}月{day.Day}日";

    public static string Month(int year, int month) => $"{year}年{month}月";

    /// <summary>一, 二, … 十九, as in 问题一 or 一、基本情况 (1 to 99).</summary>
    public static string Numeral(int n)
    {
        const string digits = "零一二三四五六七八九";
        return n switch
        {
            < 10 => digits[n].ToString(),
            10 => "十",
            < 20 => "十" + digits[n % 10],
            _ => digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10].ToString()),
        };
    }
}
