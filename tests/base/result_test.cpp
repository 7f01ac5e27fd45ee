#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace limpide {
namespace {

Status FailsWhen(bool fail) {
  if (fail) return Status::InvalidArgument("bad value", "limit");
  return Status::Ok();
}

Status Chain(bool fail) {
  LIMPIDE_RETURN_IF_ERROR(FailsWhen(fail));
  return Status::NotFound("reached the end");
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, ToStringNamesCodeMessageAndField) {
  EXPECT_EQ(Status::InvalidArgument("bad value", "limit").ToString(),
            "invalid_argument: bad value (limit)");
  EXPECT_EQ(Status::Unavailable("db down").ToString(), "unavailable: db down");
}

TEST(Status, ReturnIfErrorStopsAtTheFirstFailure) {
  EXPECT_EQ(Chain(true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Chain(true).field(), "limit");
  EXPECT_EQ(Chain(false).code(), ErrorCode::kNotFound);
}

TEST(Result, HoldsAValueOrAStatus) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Status::NotFound("nothing");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ErrorCodeName, EveryCodeHasAStableName) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kFailedPrecondition), "failed_precondition");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kResourceExhausted), "resource_exhausted");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnauthenticated), "unauthenticated");
}

}  // namespace
}  // namespace limpide
