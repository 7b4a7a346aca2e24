#include "core/status.h"

#include <nlohmann/json.hpp>

#include "core/problem.h"
#include "core/testing/testing.h"

namespace ds {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidInput("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  DS_ASSIGN_OR_RETURN(int h, Half(x));
  DS_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), testing::StatusIs(Code::kInvalidInput, "odd"));
}

// The status of a temporary result outlives the temporary: the message
// arrives intact (under ASan, a dangling reference would be reported here).
Status CheckHalfOf(int x) {
  DS_RETURN_IF_ERROR(Half(x).status());
  DS_RETURN_IF_ERROR(Half(x / 2));
  return Status::Ok();
}

TEST(Status, ReturnIfErrorKeepsTheStatusOfATemporaryResult) {
  EXPECT_OK(CheckHalfOf(8));
  EXPECT_THAT(CheckHalfOf(7), testing::StatusIs(Code::kInvalidInput, "odd"));
  EXPECT_THAT(CheckHalfOf(6), testing::StatusIs(Code::kInvalidInput, "odd"));
}

TEST(Status, PrependNamesTheStep) {
  Status s = CheckFailed("tag mismatch");
  s.Prepend("decrypt metadata");
  EXPECT_EQ(s.ToString(), "CheckFailed: decrypt metadata: tag mismatch");
}

TEST(Problem, MapsCodesToExitCodes) {
  EXPECT_EQ(ExitCode(Status::Ok()), 0);
  EXPECT_EQ(ExitCode(CheckFailed("x")), 1);
  EXPECT_EQ(ExitCode(InvalidInput("x")), 1);
  EXPECT_EQ(ExitCode(Status(Code::kUsage, "x")), 2);
  EXPECT_EQ(ExitCode(Unavailable("x")), 2);
  EXPECT_EQ(ExitCode(EnvironmentError("x")), 2);
}

TEST(Problem, UsesFitConnectProblemTypeWhenPresent) {
  Status s = CheckFailed("hash of data does not match");
  s.WithProblem({"https://schema.fitko.de/fit-connect/events/problems/hash-mismatch",
                 "Hash mismatch", "data"});

  nlohmann::json body = ProblemJson(s, "/v1/x");

  EXPECT_EQ(body["type"], "https://schema.fitko.de/fit-connect/events/problems/hash-mismatch");
  EXPECT_EQ(body["instance"], "data");
  EXPECT_EQ(body["status"], 422);
}

TEST(Problem, DerivesTypeFromCode) {
  nlohmann::json body = ProblemJson(NotFound("no such destination"), "/v1/destinations/x");
  EXPECT_EQ(body["type"], std::string(kProblemBase) + "not-found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["instance"], "/v1/destinations/x");
  EXPECT_EQ(body["detail"], "no such destination");
}

}  // namespace
}  // namespace ds
