#include "formats/csv.h"

#include <gtest/gtest.h>

namespace limpide::formats {
namespace {

domain::Contract Sample() {
  domain::Contract c;
  c.uid = "213502388000192019-001";
  c.id = "2019-001";
  c.buyer_id = "21350238800019";
  c.buyer_name = "Ville de Rennes";
  c.nature = domain::ContractNature::kAccordCadre;
  c.procedure = domain::ProcedureType::kProcedureAdaptee;
  c.object = "Entretien, \"espaces verts\"\nlot 2";
  c.cpv = "77313000-7";
  c.place = {"35238", "Code commune", "Rennes"};
  c.duration_months = 24;
  c.amount = domain::Money{12700050};
  c.notified_on = domain::Date{2019, 3, 1};
  c.holders = {{"81223113200026", "SIRET", "Garami SARL"}, {"DE814864138", "TVA", "Hellman, GmbH"}};
  c.modifications.resize(2);
  return c;
}

TEST(CsvField, PlainTextIsWrittenAsIs) { EXPECT_EQ(CsvField("Rennes"), "Rennes"); }

TEST(CsvField, CommaQuoteAndLineBreaksAreQuoted) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("dit \"x\""), "\"dit \"\"x\"\"\"");
  EXPECT_EQ(CsvField("a\nb"), "\"a\nb\"");
  EXPECT_EQ(CsvField("a\rb"), "\"a\rb\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvHeader, ListsTheColumnsAndEndsWithCrLf) {
  EXPECT_EQ(CsvHeader(),
            "uid,id,kind,buyer_id,buyer_name,nature,procedure,object,cpv,place_code,place_type,"
            "duration_months,amount,notified_on,published_on,holders_ids,holders_names,"
            "modifications\r\n");
}

TEST(CsvRow, WritesOneQuotedLinePerContract) {
  EXPECT_EQ(CsvRow(Sample()),
            "213502388000192019-001,2019-001,marche,21350238800019,Ville de Rennes,accord_cadre,"
            "procedure_adaptee,\"Entretien, \"\"espaces verts\"\"\nlot 2\",77313000-7,35238,"
            "Code commune,24,127000.50,2019-03-01,,81223113200026 | DE814864138,"
            "\"Garami SARL | Hellman, GmbH\",2\r\n");
}

TEST(CsvRow, UnknownValuesAreEmptyFields) {
  domain::Contract c;
  c.uid = "u";
  c.id = "i";
  c.kind = domain::ContractKind::kConcession;
  EXPECT_EQ(CsvRow(c), "u,i,concession,,,,,,,,,,,,,,,0\r\n");
}

}  // namespace
}  // namespace limpide::formats
