// Gzip on the way out: what a browser that asks for it gets back inflates to the same bytes;
// a client that does not ask, a stream, a small or binary body are left alone.
#include "http/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace kindred::http {
namespace {

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int result = Z_OK;
  while (result == Z_OK) {
    char chunk[4096];
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

Request Asking(std::string accept_encoding) {
  Request request;
  request.method = "GET";
  request.path = "/t/1";
  if (!accept_encoding.empty()) request.headers.emplace_back("accept-encoding", std::move(accept_encoding));
  return request;
}

std::string Page() {
  std::string html = "<!doctype html><html><body>";
  for (int i = 0; i < 200; ++i) html += "<p>Very normal. People call it a therapy hangover.</p>";
  return html + "</body></html>";
}

bool HasHeader(const Response& response, std::string_view name, std::string_view value) {
  for (const auto& [n, v] : response.headers) {
    if (n == name && v == value) return true;
  }
  return false;
}

TEST(CompressionTest, ReadsAcceptEncodingAsBrowsersWriteIt) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.8"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("x-gzip-ish"));
}

TEST(CompressionTest, APageInflatesToTheSameBytesAndIsMuchSmaller) {
  Response response = Response::Html(Page());
  const std::string original = response.body;
  ASSERT_TRUE(MaybeGzip(Asking("gzip, deflate, br"), response));
  EXPECT_TRUE(HasHeader(response, "Content-Encoding", "gzip"));
  EXPECT_TRUE(HasHeader(response, "Vary", "Accept-Encoding"));
  EXPECT_LT(response.body.size() * 4, original.size());
  EXPECT_EQ(Gunzip(response.body), original);
}

TEST(CompressionTest, LeavesAloneWhatShouldNotBeCompressed) {
  Response not_asked = Response::Html(Page());
  EXPECT_FALSE(MaybeGzip(Asking(""), not_asked));
  EXPECT_EQ(not_asked.body, Page());
  EXPECT_TRUE(HasHeader(not_asked, "Vary", "Accept-Encoding")) << "a cache must still tell the two apart";

  Response small = Response::Html("<p>ok</p>");
  EXPECT_FALSE(MaybeGzip(Asking("gzip"), small));

  Response image = Response::Html(std::string(4096, 'x'));
  image.content_type = "image/png";
  EXPECT_FALSE(MaybeGzip(Asking("gzip"), image));

  Response stream = Response::EventStream([](std::shared_ptr<StreamSink>) {});
  stream.body = Page();
  EXPECT_FALSE(MaybeGzip(Asking("gzip"), stream));
}

}  // namespace
}  // namespace kindred::http
