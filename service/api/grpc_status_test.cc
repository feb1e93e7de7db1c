#include "service/api/grpc_status.h"

#include "gtest/gtest.h"

namespace neardup::api {
namespace {

TEST(GrpcStatusTest, ServerPathsAreCutToTheirLastComponent) {
  EXPECT_EQ(RedactPaths("write document: IO error: No space left on device: "
                        "While appending to file: /var/lib/neardup/data/"
                        "000012.log: No space left on device"),
            "write document: IO error: No space left on device: While "
            "appending to file: 000012.log: No space left on device");
  EXPECT_EQ(RedactPaths("lock /srv/db/LOCK, held by (/srv/db/) 'x'"),
            "lock LOCK, held by (db/) 'x'");
  EXPECT_EQ(RedactPaths("open file=/tmp/a/b.sst failed"),
            "open file=b.sst failed");
}

TEST(GrpcStatusTest, TextThatIsNotAPathStays) {
  EXPECT_EQ(RedactPaths("content_type text/html and a/b, 1/2"),
            "content_type text/html and a/b, 1/2");
  EXPECT_EQ(RedactPaths("id /x is stored"), "id /x is stored");
  EXPECT_EQ(RedactPaths(""), "");
  const grpc::Status s =
      ToGrpcStatus(absl::UnavailableError("read /home/u/db/CURRENT: gone"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "read CURRENT: gone");
  // A request's own text (here an id that looks like a path) is quoted
  // as sent.
  EXPECT_EQ(
      ToGrpcStatus(absl::NotFoundError("not found in c: /a/b")).error_message(),
      "not found in c: /a/b");
}

}  // namespace
}  // namespace neardup::api
