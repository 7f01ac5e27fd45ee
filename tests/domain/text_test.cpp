#include "domain/text.h"

#include <gtest/gtest.h>

#include <string>

namespace limpide::domain {
namespace {

TEST(FoldForSearch, LowerCasesAndStripsFrenchAccents) {
  EXPECT_EQ(FoldForSearch("Rénovation"), "renovation");
  EXPECT_EQ(FoldForSearch("ÉLÈVE à Noël, ça"), "eleve a noel, ca");
  EXPECT_EQ(FoldForSearch("éèêë àâä îï ôö ùûü ÿ ç"), "eeee aaa ii oo uuu y c");
  EXPECT_EQ(FoldForSearch("ÉÈÊË ÀÂÄ ÎÏ ÔÖ ÙÛÜ Ÿ Ç"), "eeee aaa ii oo uuu y c");
}

TEST(FoldForSearch, ExpandsLigatures) {
  EXPECT_EQ(FoldForSearch("Œuvre cœur"), "oeuvre coeur");
  EXPECT_EQ(FoldForSearch("Æ æ"), "ae ae");
  EXPECT_EQ(FoldForSearch("Straße"), "strasse");
}

TEST(FoldForSearch, FoldsLatinExtendedA) {
  EXPECT_EQ(FoldForSearch("Łódź Škoda Ğ ő"), "lodz skoda g o");
}

TEST(FoldForSearch, DropsCombiningMarksOfDecomposedText) {
  EXPECT_EQ(FoldForSearch("Re\xCC\x81novation"), "renovation");
}

TEST(FoldForSearch, KeepsOtherCharactersAndPunctuation) {
  EXPECT_EQ(FoldForSearch("Lot n°2 : 10 × 3"), "lot n°2 : 10 × 3");
  EXPECT_EQ(FoldForSearch("ΑΒΓ 東京"), "ΑΒΓ 東京");  // beyond Latin: unchanged
  EXPECT_EQ(FoldForSearch("Appel d’offres"), "appel d'offres");
}

TEST(FoldForSearch, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(FoldForSearch("  Travaux \t de\n\nvoirie  "), "travaux de voirie");
  EXPECT_EQ(FoldForSearch("1\xC2\xA0"
                          "234\xE2\x80\xAF"
                          "5"),
            "1 234 5");
  EXPECT_EQ(FoldForSearch(" \t\n"), "");
  EXPECT_EQ(FoldForSearch(""), "");
}

TEST(FoldForSearch, DropsInvalidBytesAndReplacementCharacters) {
  EXPECT_EQ(FoldForSearch("R\xE9novation"), "rnovation");  // Latin-1 byte: dropped
  EXPECT_EQ(FoldForSearch("R\xEF\xBF\xBDnovation"), "rnovation");
  EXPECT_EQ(FoldForSearch("a\xC0\xAF"
                          "b\xED\xA0\x80"
                          "c"),
            "abc");
  EXPECT_TRUE(IsValidUtf8(FoldForSearch("\xFF\xFE x \xC3")));
}

TEST(FoldForSearch, IsIdempotent) {
  for (std::string_view s : {"Rénovation de l'Œuvre", "  A  B ", "東京 Ÿ"}) {
    EXPECT_EQ(FoldForSearch(FoldForSearch(s)), FoldForSearch(s)) << s;
  }
}

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("Rénovation – œuvre €"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));           // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD"));               // U+FFFD itself is well-formed
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));  // NUL is a character
}

TEST(IsValidUtf8, RejectsOverlongForms) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));
}

TEST(IsValidUtf8, RejectsSurrogatesAndCodePointsBeyondTheLastPlane) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));       // U+D7FF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
}

TEST(IsValidUtf8, RejectsStrayAndTruncatedSequences) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("R\xE9novation"));  // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(HasReplacementChar, FindsTheMarkOfALostCharacter) {
  EXPECT_TRUE(HasReplacementChar("R\xEF\xBF\xBDnovation"));
  EXPECT_FALSE(HasReplacementChar("Rénovation"));
  EXPECT_FALSE(HasReplacementChar(""));
  EXPECT_FALSE(HasReplacementChar("\xEF\xBF"));
}

TEST(NormalizeSpaces, TrimsAndCollapsesAsciiWhitespace) {
  EXPECT_EQ(NormalizeSpaces("  Travaux \t de\r\n voirie  "), "Travaux de voirie");
  EXPECT_EQ(NormalizeSpaces("one"), "one");
  EXPECT_EQ(NormalizeSpaces("\n\n"), "");
  EXPECT_EQ(NormalizeSpaces(""), "");
}

TEST(NormalizeSpaces, LeavesCaseAccentsAndNoBreakSpacesAlone) {
  EXPECT_EQ(NormalizeSpaces(" Rénovation  ÉCOLE "), "Rénovation ÉCOLE");
  EXPECT_EQ(NormalizeSpaces("1\xC2\xA0"
                            "234"),
            "1\xC2\xA0"
            "234");
}

}  // namespace
}  // namespace limpide::domain
