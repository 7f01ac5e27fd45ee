// The SMTP client's pieces that need no relay (alerts/send.h); the sessions
// themselves are tested against aiosmtpd (alerts_test.cpp, e2e smtp-auth).
#include "alerts/send.h"

#include <gtest/gtest.h>

namespace limpide::alerts {
namespace {

TEST(OffersAuthPlainTest, FindsPlainAmongTheMechanismsInAnyCase) {
  EXPECT_TRUE(OffersAuthPlain("250-relay.example\r\n250-AUTH LOGIN PLAIN\r\n250 HELP\r\n"));
  EXPECT_TRUE(OffersAuthPlain("250-relay\r\n250 auth plain"));
  EXPECT_TRUE(OffersAuthPlain("250-relay\r\n250-AUTH=PLAIN LOGIN\r\n250 8BITMIME"));
  EXPECT_TRUE(OffersAuthPlain("250-relay\r\n250-AUTH  CRAM-MD5   PLAIN\r\n250 OK"));
}

TEST(OffersAuthPlainTest, RefusesRepliesWithoutIt) {
  EXPECT_FALSE(OffersAuthPlain(""));
  EXPECT_FALSE(OffersAuthPlain("250 relay.example"));
  EXPECT_FALSE(OffersAuthPlain("250-relay\r\n250-AUTH LOGIN CRAM-MD5\r\n250 HELP"));
  EXPECT_FALSE(OffersAuthPlain("250-relay\r\n250-AUTH\r\n250 HELP"));
  EXPECT_FALSE(OffersAuthPlain("250-relay\r\n250-AUTH PLAINTEXT\r\n250 HELP"));
  EXPECT_FALSE(OffersAuthPlain("250-relay\r\n250-XAUTH PLAIN\r\n250 HELP"));
  EXPECT_FALSE(OffersAuthPlain("250-relay\r\n250 HELP PLAIN"));  // not on an AUTH line
  // Broken replies: short lines, no line ends, bytes that are not text.
  EXPECT_FALSE(OffersAuthPlain("250"));
  EXPECT_FALSE(OffersAuthPlain("\r\n\r\n\r\n"));
  EXPECT_FALSE(OffersAuthPlain(std::string("250-AUTH \0PLAIN", 15)));
  EXPECT_FALSE(OffersAuthPlain("AUTH PLAIN"));  // no code: "PLAIN" is the 5th byte on
}

TEST(SendMailTest, AUserWithoutStartTlsIsRefusedBeforeConnecting) {
  SmtpRelay relay;
  relay.host = "192.0.2.1";  // TEST-NET-1: a connection would time out
  relay.port = 25;
  relay.user = "limpide";
  relay.password = "secret";
  const Status st = SendMail(relay, Mail{"a@b.fr", "c@d.fr", "s", "b"}, std::chrono::seconds(30));
  EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("STARTTLS"), std::string::npos);
  EXPECT_EQ(st.message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace limpide::alerts
