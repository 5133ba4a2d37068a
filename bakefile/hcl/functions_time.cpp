// Date and time functions: cty's formatdate and timeadd, buildx's
// timestamp, unixtimestampparse and formattimestamp. Timestamps are RFC 3339
// strings carrying their own UTC offset; all calendar arithmetic is done on
// seconds since the epoch with Howard Hinnant's civil-date algorithms, so no
// time zone database or global locale is involved.

#include <chrono>
#include <cmath>
#include <cstdio>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

struct Timestamp {
  int64_t unix = 0;     // seconds since the epoch (UTC)
  int64_t nanos = 0;    // fraction of the second
  int offset = 0;       // seconds east of UTC of the written form
  bool utc_z = true;    // written with "Z"
};

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, weekday, year_day;
};

int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Civil civil_from_unix(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int64_t y = yoe + era * 400 + (m <= 2);
  Civil c{y, m, d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
          static_cast<int>(secs % 60), static_cast<int>(((days % 7) + 11) % 7),
          static_cast<int>(days - days_from_civil(y, 1, 1) + 1)};
  return c;
}

const char* const k_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                "July",    "August",   "September", "October", "November", "December"};
const char* const k_weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                  "Thursday", "Friday", "Saturday"};

std::string two(int64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%02lld", static_cast<long long>(v));
  return b;
}

Result<Timestamp> parse_rfc3339(const std::string& s) {
  int y, mo, d, h, mi, sec;
  int n = 0;
  auto bad = [&]() {
    return fail("not a valid RFC3339 timestamp: cannot use \"" + s + "\" as year");
  };
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
      n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return bad();
  Timestamp ts;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, scale /= 10)
      ts.nanos += (s[i] - '0') * scale;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    ts.offset = 0;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = std::atoi(s.substr(i + 1, 2).c_str()), om = std::atoi(s.substr(i + 4, 2).c_str());
    ts.offset = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    ts.utc_z = false;
  } else {
    return bad();
  }
  ts.unix = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - ts.offset;
  return ts;
}

std::string offset_text(int offset, bool colon) {
  int a = offset < 0 ? -offset : offset;
  return std::string(offset < 0 ? "-" : "+") + two(a / 3600) + (colon ? ":" : "") + two(a / 60 % 60);
}

std::string format_rfc3339(const Timestamp& ts) {
  Civil c = civil_from_unix(ts.unix + ts.offset);
  char b[64];
  std::snprintf(b, sizeof b, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  std::string out = b;
  if (ts.nanos) {
    std::snprintf(b, sizeof b, ".%09lld", static_cast<long long>(ts.nanos));
    std::string frac = b;
    frac.erase(frac.find_last_not_of('0') + 1);
    out += frac;
  }
  return out + (ts.offset == 0 ? "Z" : offset_text(ts.offset, true));
}

// One run of the same letter in a formatdate spec, e.g. "YYYY".
Result<std::string> format_verb(char letter, size_t n, const Civil& c, const Timestamp& ts) {
  std::string verb(n, letter);
  int h12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
  if (verb == "YYYY") {
    char b[32];
    std::snprintf(b, sizeof b, "%04lld", static_cast<long long>(c.year));
    return std::string(b);
  }
  if (verb == "YY")
    return two(c.year % 100);
  if (verb == "MMMM")
    return std::string(k_months[c.month - 1]);
  if (verb == "MMM")
    return std::string(k_months[c.month - 1]).substr(0, 3);
  if (verb == "MM" || verb == "DD" || verb == "hh" || verb == "mm" || verb == "ss" || verb == "HH") {
    int v = letter == 'M' ? c.month : letter == 'D' ? c.day : letter == 'h' ? c.hour
            : letter == 'm' ? c.minute : letter == 's' ? c.second : h12;
    return two(v);
  }
  if (verb == "M" || verb == "D" || verb == "h" || verb == "m" || verb == "s" || verb == "H") {
    int v = letter == 'M' ? c.month : letter == 'D' ? c.day : letter == 'h' ? c.hour
            : letter == 'm' ? c.minute : letter == 's' ? c.second : h12;
    return std::to_string(v);
  }
  if (verb == "EEEE")
    return std::string(k_weekdays[c.weekday]);
  if (verb == "EEE")
    return std::string(k_weekdays[c.weekday]).substr(0, 3);
  if (verb == "AA")
    return std::string(c.hour < 12 ? "AM" : "PM");
  if (verb == "aa")
    return std::string(c.hour < 12 ? "am" : "pm");
  if (verb == "ZZZZZ")
    return offset_text(ts.offset, true);
  if (verb == "ZZZZ")
    return offset_text(ts.offset, false);
  if (verb == "ZZZ")
    return ts.offset == 0 ? std::string("UTC") : offset_text(ts.offset, false);
  if (verb == "Z")
    return ts.offset == 0 ? std::string("Z") : offset_text(ts.offset, true);
  return fail("invalid date format verb \"" + verb + "\"");
}

Result<std::string> format_date(const std::string& spec, const Timestamp& ts) {
  Civil c = civil_from_unix(ts.unix + ts.offset);
  std::string out;
  for (size_t i = 0; i < spec.size();) {
    char ch = spec[i];
    if (ch == '\'') {
      size_t close = spec.find('\'', i + 1);
      if (close == std::string::npos)
        return fail("unterminated literal '");
      out += close == i + 1 ? "'" : spec.substr(i + 1, close - i - 1);
      i = close + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(ch))) {
      out += ch;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < spec.size() && spec[j] == ch)
      ++j;
    out += TRY(format_verb(ch, j - i, c, ts));
    i = j;
  }
  return out;
}

// Go's time.ParseDuration: a sequence of decimal numbers with units.
Result<double> parse_duration(const std::string& s) {
  auto bad = [&]() { return fail("time: invalid duration \"" + s + "\""); };
  size_t i = 0;
  double sign = 1;
  if (i < s.size() && (s[i] == '-' || s[i] == '+'))
    sign = s[i++] == '-' ? -1 : 1;
  if (s == "0")
    return 0.0;
  if (i >= s.size())
    return bad();
  double total = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
      ++i;
    if (start == i)
      return bad();
    double v = std::atof(s.substr(start, i - start).c_str());
    size_t u = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.')
      ++i;
    std::string unit = s.substr(u, i - u);
    double scale = unit == "h" ? 3600 : unit == "m" ? 60 : unit == "s" ? 1 : unit == "ms" ? 1e-3
                   : unit == "us" || unit == "\xC2\xB5s" ? 1e-6 : unit == "ns" ? 1e-9 : -1;
    if (scale < 0)
      return bad();
    total += v * scale;
  }
  return sign * total;
}

Value civil_object(const Timestamp& ts) {
  Civil c = civil_from_unix(ts.unix);
  // ISO 8601 week: the week with the year's first Thursday is week 1.
  int wd = c.weekday == 0 ? 7 : c.weekday;
  Civil thursday = civil_from_unix(ts.unix + (4 - wd) * 86400);
  Value::Object o;
  o["year"] = Value::number(c.year);
  o["year_day"] = Value::number(c.year_day);
  o["day"] = Value::number(c.day);
  o["month"] = Value::number(c.month);
  o["month_name"] = Value::string(k_months[c.month - 1]);
  o["weekday"] = Value::number(c.weekday);
  o["weekday_name"] = Value::string(k_weekdays[c.weekday]);
  o["hour"] = Value::number(c.hour);
  o["minute"] = Value::number(c.minute);
  o["second"] = Value::number(c.second);
  o["rfc3339"] = Value::string(format_rfc3339(ts));
  o["iso_year"] = Value::number(thursday.year);
  o["iso_week"] = Value::number((thursday.year_day - 1) / 7 + 1);
  return Value::object(std::move(o));
}

Timestamp now_utc() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(now).count(), 0, 0, true};
}

} // namespace

void add_time_functions(FunctionTable& t) {
  args::add(t, "timestamp", 0, 0, [](const Args&) -> Result<Value> {
    return Value::string(format_rfc3339(now_utc()));
  });
  args::add(t, "formatdate", 2, 2, [](const Args& a) -> Result<Value> {
    std::string spec = TRY(args::str(a, 0, "format"));
    Timestamp ts = TRY(parse_rfc3339(TRY(args::str(a, 1, "time"))));
    return Value::string(TRY(format_date(spec, ts)));
  });
  args::add(t, "timeadd", 2, 2, [](const Args& a) -> Result<Value> {
    Timestamp ts = TRY(parse_rfc3339(TRY(args::str(a, 0, "timestamp"))));
    double d = TRY(parse_duration(TRY(args::str(a, 1, "duration"))));
    double whole = std::floor(d);
    ts.unix += static_cast<int64_t>(whole);
    ts.nanos += static_cast<int64_t>((d - whole) * 1e9 + 0.5);
    ts.unix += ts.nanos / 1000000000;
    ts.nanos %= 1000000000;
    return Value::string(format_rfc3339(ts));
  });
  args::add(t, "unixtimestampparse", 1, 1, [](const Args& a) -> Result<Value> {
    return civil_object(Timestamp{TRY(args::integer(a, 0, "unix_timestamp")), 0, 0, true});
  });
  args::add(t, "rfc3339parse", 1, 1, [](const Args& a) -> Result<Value> {
    Timestamp ts = TRY(parse_rfc3339(TRY(args::str(a, 0, "timestamp"))));
    ts.offset = 0;
    return civil_object(ts);
  });
  // formattimestamp(format, unix_seconds): formatdate's verbs applied to a
  // Unix timestamp, in UTC.
  args::add(t, "formattimestamp", 2, 2, [](const Args& a) -> Result<Value> {
    std::string spec = TRY(args::str(a, 0, "format"));
    Timestamp ts{TRY(args::integer(a, 1, "timestamp")), 0, 0, true};
    return Value::string(TRY(format_date(spec, ts)));
  });
}

} // namespace xbuild::bakefile::hcl
