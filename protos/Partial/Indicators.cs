namespace Rectify.Reporting.V1;

/// <summary>Indicators add up: a township's over its villages, a county's over its townships.</summary>
public sealed partial class Indicators
{
    public void Add(Indicators other)
    {
        MeetingsHeld += other.MeetingsHeld;
        Trainings += other.Trainings;
        MembersDeveloped += other.MembersDeveloped;
        ServicesForPeople += other.ServicesForPeople;
        DisputesMediated += other.DisputesMediated;
        CollectiveIncomeToDateYuan += other.CollectiveIncomeToDateYuan;
    }
}
