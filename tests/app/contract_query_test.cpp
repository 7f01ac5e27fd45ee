#include <gtest/gtest.h>

#include "app/catalogue.h"

namespace limpide::app {
namespace {

Status ParseError(Params params) {
  auto q = ParseContractQuery(params, /*strict=*/true);
  return q.ok() ? Status::Ok() : q.status();
}

TEST(ContractQuery, EmptyParametersMeanNoFilterAndDefaultPageSize) {
  auto q = ParseContractQuery({{"q", ""}, {"buyer", ""}}, true);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page.limit, 50);
  EXPECT_TRUE(q->filter.buyer_id.empty());
}

TEST(ContractQuery, EveryFilterIsRead) {
  auto q = ParseContractQuery({{"q", "voirie"},
                               {"buyer", "21130103100012"},
                               {"supplier", "42399908500057"},
                               {"cpv", "45"},
                               {"procedure", "appel_offres_ouvert"},
                               {"nature", "accord_cadre"},
                               {"notified_from", "2018-01-01"},
                               {"notified_to", "2018-12-31"},
                               {"amount_min", "1000"},
                               {"amount_max", "2000.5"},
                               {"limit", "1000"}},
                              true);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->filter.text, "voirie");
  EXPECT_EQ(q->filter.buyer_id, "21130103100012");
  EXPECT_EQ(q->filter.cpv_prefix, "45");
  EXPECT_EQ(q->filter.procedure, domain::ProcedureType::kAppelOffresOuvert);
  EXPECT_EQ(q->filter.nature, domain::ContractNature::kAccordCadre);
  EXPECT_EQ(q->filter.amount_max->cents, 200050);
  EXPECT_EQ(q->page.limit, 1000);
}

TEST(ContractQuery, EachMalformedParameterIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"buyer", "123"},
                                                                  {"buyer", "21130103100013"},
                                                                  {"cpv", "4"},
                                                                  {"cpv", "ab"},
                                                                  {"procedure", "x"},
                                                                  {"nature", "x"},
                                                                  {"notified_from", "2019-02-30"},
                                                                  {"notified_to", "yesterday"},
                                                                  {"amount_min", "abc"},
                                                                  {"amount_max", "1e400"},
                                                                  {"limit", "0"},
                                                                  {"limit", "1001"},
                                                                  {"limit", "ten"},
                                                                  {"supplier", "a b"},
                                                                  {"colour", "red"}};
  for (const auto& [name, value] : cases) {
    Status s = ParseError({{name, value}});
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << name << "=" << value;
    EXPECT_EQ(s.field(), name) << name << "=" << value << ": " << s.ToString();
  }
}

TEST(ContractQuery, InvertedRangesAreRefused) {
  EXPECT_EQ(ParseError({{"notified_from", "2019-01-02"}, {"notified_to", "2019-01-01"}}).field(),
            "notified_to");
  EXPECT_EQ(ParseError({{"amount_min", "10"}, {"amount_max", "9"}}).field(), "amount_max");
}

TEST(ContractQuery, UnknownParametersAreToleratedWhenNotStrict) {
  EXPECT_TRUE(ParseContractQuery({{"utm_source", "x"}}, false).ok());
}

}  // namespace
}  // namespace limpide::app
