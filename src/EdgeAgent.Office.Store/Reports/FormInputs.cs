using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Office.Reports;

/// <summary>One school's side of the form that the system cannot know: entered in the console.</summary>
public sealed record SchoolSideInputs(
    [property: JsonPropertyName("spaceOpened")] string? SpaceOpened = null,          // 学校空间是否已开通 (是/否)
    [property: JsonPropertyName("agreementUploaded")] string? AgreementUploaded = null, // 结对协议是否已上传 (是/否)
    [property: JsonPropertyName("processUploads")] int? ProcessUploads = null,        // 过程资料空间上传数
    [property: JsonPropertyName("smallScale")] string? SmallScale = null);            // 是否为小规模学校 (是/否)

/// <summary>宣传报道篇次 by level: 校级, 县区级, 地市级, 省及以上.</summary>
public sealed record PublicityInputs(
    [property: JsonPropertyName("school")] int? School = null,
    [property: JsonPropertyName("county")] int? County = null,
    [property: JsonPropertyName("city")] int? City = null,
    [property: JsonPropertyName("province")] int? Province = null);

/// <summary>
/// The fields of seed 000's form the rooms cannot report, entered per school pair and month in the console: the
/// schools' full names, 填报人, 学段, the agreement, both contacts, each school's space and uploads, publicity, the
/// highlights, next month's plan, other remarks. A month with nothing entered starts from the pair's latest earlier
/// month for what does not change monthly (names, contacts, 学段, the agreement, the schools' standing answers).
/// </summary>
public sealed record FormInputs(
    [property: JsonPropertyName("urbanName")] string? UrbanName = null,
    [property: JsonPropertyName("ruralName")] string? RuralName = null,
    [property: JsonPropertyName("filler")] string? Filler = null,
    [property: JsonPropertyName("stage")] string? Stage = null,                       // 学段: 小学, 初中, 九年一贯制
    [property: JsonPropertyName("agreementSigned")] string? AgreementSigned = null,   // 是否已签订结对协议
    [property: JsonPropertyName("urbanContact")] string? UrbanContact = null,
    [property: JsonPropertyName("urbanPhone")] string? UrbanPhone = null,
    [property: JsonPropertyName("ruralContact")] string? RuralContact = null,
    [property: JsonPropertyName("ruralPhone")] string? RuralPhone = null,
    [property: JsonPropertyName("urban")] SchoolSideInputs? Urban = null,
    [property: JsonPropertyName("rural")] SchoolSideInputs? Rural = null,
    [property: JsonPropertyName("publicity")] PublicityInputs? Publicity = null,
    [property: JsonPropertyName("highlights")] string? Highlights = null,             // 亮点做法
    [property: JsonPropertyName("nextMonthPlan")] string? NextMonthPlan = null,       // 下月工作计划
    [property: JsonPropertyName("other")] string? Other = null)                       // 其他
{
    public static readonly string[] Stages = ["小学", "初中", "九年一贯制"];
    public static readonly string[] YesNo = ["是", "否"];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FormInputs FromJson(string json) => JsonSerializer.Deserialize<FormInputs>(json, Json) ?? new FormInputs();

    /// <summary>What carries over to a month nobody has filled yet: everything but the month's own figures and words.</summary>
    public FormInputs CarriedForward() => this with
    {
        Urban = Urban is null ? null : Urban with { ProcessUploads = null }, Rural = Rural is null ? null : Rural with { ProcessUploads = null },
        Publicity = null, Highlights = null, NextMonthPlan = null, Other = null,
    };

    /// <summary>Checks what was entered; a problem names the field.</summary>
    public void Check()
    {
        static void YesOrNo(string? v, string field)
        {
            if (v is not null && !YesNo.Contains(v)) throw new FormatException($"{field}: 是 or 否");
        }
        static void Text(string? v, string field, int max)
        {
            if (v is not null && (v.Length > max || v.Any(c => char.IsControl(c) && c is not '\n' and not '\r'))) throw new FormatException($"{field}: at most {max} characters, no control characters");
        }
        static void Count(int? v, string field)
        {
            if (v is < 0 or > 100_000) throw new FormatException($"{field}: a whole number 0-100000");
        }
        foreach (var (v, f) in new[] { (UrbanName, "urbanName"), (RuralName, "ruralName"), (Filler, "filler"), (UrbanContact, "urbanContact"), (RuralContact, "ruralContact") }) Text(v, f, 64);
        foreach (var (v, f) in new[] { (UrbanPhone, "urbanPhone"), (RuralPhone, "ruralPhone") })
            if (v is not null && (v.Length > 32 || v.Any(c => !char.IsAsciiDigit(c) && c is not '-' and not ' ' and not '+' and not '(' and not ')')))
                throw new FormatException($"{f}: a telephone number (digits, -, +, spaces, parentheses)");
        if (Stage is not null && !Stages.Contains(Stage)) throw new FormatException($"stage: {string.Join("、", Stages)}");
        YesOrNo(AgreementSigned, "agreementSigned");
        foreach (var (side, name) in new[] { (Urban, "urban"), (Rural, "rural") })
        {
            if (side is null) continue;
            YesOrNo(side.SpaceOpened, $"{name}.spaceOpened");
            YesOrNo(side.AgreementUploaded, $"{name}.agreementUploaded");
            YesOrNo(side.SmallScale, $"{name}.smallScale");
            Count(side.ProcessUploads, $"{name}.processUploads");
        }
        if (Publicity is { } p)
        {
            Count(p.School, "publicity.school");
            Count(p.County, "publicity.county");
            Count(p.City, "publicity.city");
            Count(p.Province, "publicity.province");
        }
        foreach (var (v, f) in new[] { (Highlights, "highlights"), (NextMonthPlan, "nextMonthPlan"), (Other, "other") }) Text(v, f, 2000);
    }
}
