using Rectify.Measures.V1;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Plans;

/// <summary>A measure as a plan or AddMeasure gives it, checked on its own: what, who (trimmed) and a real deadline.</summary>
public sealed record PlannedMeasure(string Description, IReadOnlyList<string> ResponsiblePersons, DateOnly Deadline, bool Ongoing)
{
    /// <summary>Adds the measure's violations under <paramref name="path"/>; the measure when it has none.</summary>
    internal static PlannedMeasure? Parse(Violations v, string path, MeasureInput measure)
    {
        var description = v.Text($"{path}.description", measure.Description, 4000);
        var persons = new List<string>();
        var personsValid = v.Check(measure.ResponsiblePersons.Count is > 0 and <= 20, $"{path}.responsible_persons", "must name 1 to 20 responsible persons");
        if (personsValid)
            for (var k = 0; k < measure.ResponsiblePersons.Count; k++)
                if (v.Text($"{path}.responsible_persons[{k}]", measure.ResponsiblePersons[k], 50) is { } person
                    && v.Check(!person.Contains('|'), $"{path}.responsible_persons[{k}]", "may not contain |"))
                    persons.Add(person);
                else personsValid = false;
        var deadline = v.Date($"{path}.deadline", measure.Deadline);
        return description is not null && personsValid && deadline is { } d ? new(description, persons, d, measure.Ongoing) : null;
    }

    /// <summary>A deadline falls within the plan: not before its start, not after the campaign's end unless the measure is ongoing (长期坚持).</summary>
    internal void CheckDeadline(Violations v, string field, DateOnly startsOn, DateOnly campaignEndsOn)
    {
        v.Check(Deadline >= startsOn, field, $"must not be before the plan's start {startsOn:yyyy-MM-dd}");
        v.Check(Ongoing || Deadline <= campaignEndsOn, field, $"must not be after the campaign's end {campaignEndsOn:yyyy-MM-dd} unless the measure is ongoing");
    }
}
