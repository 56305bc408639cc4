namespace Rectify.Events.Measures;

/// <summary>A measure's status in events, numbered as the proto's rectify.measures.v1.MeasureStatus (held so by a test).</summary>
public enum MeasureStatus
{
    Unspecified = 0,
    NotStarted = 1, // 未开始
    InProgress = 2, // 推进中
    Completed = 3,  // 已完成 (reported, awaiting verification)
    Closed = 4,     // 已销号
    Reopened = 5,   // 回炉
}
