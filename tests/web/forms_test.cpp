// The form readers of the web pages (web/forms.h): urlencoded and multipart
// bodies, broken ones included, and the Europe/Paris dates of datetime-local
// inputs.
#include "web/forms.h"

#include <gtest/gtest.h>

#include <string>

namespace limpide::web {
namespace {

const std::string kType = "multipart/form-data; boundary=----limite42";

std::string Part(const std::string& headers, const std::string& value) {
  return "------limite42\r\n" + headers + "\r\n\r\n" + value + "\r\n";
}

TEST(DecodeForm, ReadsPlusAndEscapes) {
  Fields f;
  ASSERT_TRUE(DecodeForm("texte=une+question%20%C3%A9crite&vide=&seul", f));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(Field(f, "texte"), "une question écrite");
  EXPECT_EQ(Field(f, "vide"), "");
  EXPECT_NE(FindField(f, "seul"), nullptr);
  EXPECT_EQ(FindField(f, "absent"), nullptr);
}

TEST(DecodeForm, RefusesBrokenEscapes) {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "%G1=x"}) {
    Fields f;
    EXPECT_FALSE(DecodeForm(body, f)) << body;
  }
  Fields f;
  EXPECT_TRUE(DecodeForm("a=%41", f));
  EXPECT_EQ(Field(f, "a"), "A");
}

TEST(DecodeMultipart, ReadsFieldsAndFilesWithBinaryBytes) {
  const std::string binary("\0\r\n--\xff", 6);
  const std::string body =
      "préambule ignoré\r\n" + Part("Content-Disposition: form-data; name=\"csrf\"", "jeton") +
      Part(
          "Content-Disposition: form-data; name=\"document\"; "
          "filename=\"offre \\\"finale\\\".pdf\"\r\nContent-Type: "
          "application/pdf",
          binary) +
      Part("content-disposition: form-data; name=\"document\"; filename=\"\"", "") +
      "------limite42--\r\n";
  auto f = DecodeMultipart(kType, body);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->size(), 3u);
  EXPECT_EQ(Field(*f, "csrf"), "jeton");
  EXPECT_FALSE((*f)[0].filename.has_value());
  EXPECT_EQ((*f)[1].name, "document");
  EXPECT_EQ(*(*f)[1].filename, "offre \"finale\".pdf");
  EXPECT_EQ((*f)[1].type, "application/pdf");
  EXPECT_EQ((*f)[1].value, binary);
  EXPECT_EQ(*(*f)[2].filename, "");
}

TEST(DecodeMultipart, QuotedBoundaryAndNoPartsAtAll) {
  auto f = DecodeMultipart("multipart/form-data; charset=utf-8; boundary=\"b c\"",
                           "--b c\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b c--");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(Field(*f, "x"), "1");
  auto empty = DecodeMultipart(kType, "------limite42--\r\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(DecodeMultipart, RefusesBrokenBodiesNamingTheProblem) {
  const std::string ok_part = Part("Content-Disposition: form-data; name=\"a\"", "1");
  struct Case {
    std::string type, body, says;
  };
  const Case cases[] = {
      {"multipart/form-data", ok_part + "------limite42--", "boundary"},
      {"multipart/form-data; boundary=", ok_part, "boundary"},
      {"multipart/form-data; boundary=\"open", ok_part, "boundary"},
      {kType, "pas de limite ici", "without its boundary"},
      {kType, "------limite42junk", "line end"},
      {kType, "------limite42\r\nContent-Disposition: form-data; name=\"a\"", "headers"},
      {kType, "------limite42\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
       "no closing boundary"},
      {kType, Part("Content-Type: text/plain", "1") + "------limite42--", "Content-Disposition"},
      {kType, Part("Content-Disposition: form-data", "1") + "------limite42--", "without a name"},
      {kType, Part("Content-Disposition: attachment; name=\"a\"", "1") + "------limite42--",
       "not form-data"},
  };
  for (const auto& c : cases) {
    auto f = DecodeMultipart(c.type, c.body);
    ASSERT_FALSE(f.ok()) << c.body;
    EXPECT_EQ(f.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(c.says), std::string::npos)
        << f.status().message() << " should say " << c.says;
  }
}

TEST(DecodeMultipart, RefusesMoreThanAThousandParts) {
  std::string body;
  for (int i = 0; i < 1001; ++i) body += Part("Content-Disposition: form-data; name=\"a\"", "1");
  body += "------limite42--";
  auto f = DecodeMultipart(kType, body);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("1000"), std::string::npos);
}

TEST(ParisLocal, WinterAndSummerOffsets) {
  auto winter = ParisLocalToInstant("2026-12-20T12:00", "deadline");
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(domain::FormatInstantMillis(*winter), "2026-12-20T11:00:00.000Z");
  auto summer = ParisLocalToInstant("2026-07-14T12:00:30", "deadline");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(domain::FormatInstantMillis(*summer), "2026-07-14T10:00:30.000Z");
  EXPECT_EQ(InstantToParisLocal(*summer), "2026-07-14T12:00:30");
  EXPECT_EQ(InstantToParisLocal(*winter), "2026-12-20T12:00:00");
}

TEST(ParisLocal, AroundTheChangeToSummerTime) {
  // 29 March 2026: 02:00 Paris becomes 03:00 (01:00 UTC).
  auto before = ParisLocalToInstant("2026-03-29T01:59:59", "deadline");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(domain::FormatInstantMillis(*before), "2026-03-29T00:59:59.000Z");
  auto after = ParisLocalToInstant("2026-03-29T03:00", "deadline");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(domain::FormatInstantMillis(*after), "2026-03-29T01:00:00.000Z");
}

TEST(ParisLocal, RefusesOtherFormsNamingTheField) {
  for (const char* bad : {"", "2026-12-20", "20/12/2026 12:00", "2026-12-20 12:00",
                          "2026-13-20T12:00", "2026-12-20T12:00+01:00", "2026-12-20T25:00"}) {
    auto t = ParisLocalToInstant(bad, "deadline");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().field(), "deadline");
  }
}

}  // namespace
}  // namespace limpide::web

// The seeds of fuzz/form_fuzz.cpp (tests/web/form_seeds/) under the normal
// compiler: each reads without crashing, and the hand-written ones are valid.
#include <filesystem>
#include <fstream>
#include <sstream>

namespace limpide::web {
namespace {

TEST(FormSeeds, EachSeedReads) {
  const auto dir = std::filesystem::path(LIMPIDE_SOURCE_DIR) / "tests/web/form_seeds";
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const std::string name = e.path().filename().string();
    ++seen;
    if (name == "multipart.txt") {
      auto f = DecodeMultipart("multipart/form-data; boundary=----limite42", text);
      ASSERT_TRUE(f.ok()) << f.status().message();
      EXPECT_EQ(Field(*f, "document"), "%PDF-1.4");
    } else if (name == "local-date.txt") {
      EXPECT_TRUE(ParisLocalToInstant(text, "deadline").ok());
    } else {
      Fields f;
      EXPECT_TRUE(DecodeForm(text, f)) << name;
    }
  }
  EXPECT_GE(seen, 3);
}

}  // namespace
}  // namespace limpide::web
