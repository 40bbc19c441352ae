#include "forum/markdown.h"

#include <gtest/gtest.h>

namespace kindred::forum {
namespace {

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MarkdownTest, RendersCommonMarkAndGithubExtensions) {
  std::string html = RenderMarkdown("**bold** and ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
  EXPECT_TRUE(Contains(html, "<strong>bold</strong>"));
  EXPECT_TRUE(Contains(html, "<del>gone</del>"));
  EXPECT_TRUE(Contains(html, "<table>"));
}

TEST(MarkdownTest, KeepsLineBreaksPeopleTyped) {
  EXPECT_TRUE(Contains(RenderMarkdown("first line\nsecond line"), "<br />"));
}

TEST(MarkdownTest, ScriptTagsComeOutInert) {
  std::string html = RenderMarkdown("hello <script>alert(1)</script> there\n\n<script>alert(2)</script>");
  EXPECT_FALSE(Contains(html, "<script"));
}

TEST(MarkdownTest, EventHandlerAttributesComeOutInert) {
  std::string html = RenderMarkdown("<img src=x onerror=alert(1)>\n\n<a href=\"#\" onclick=\"steal()\">x</a>");
  EXPECT_FALSE(Contains(html, "onerror"));
  EXPECT_FALSE(Contains(html, "onclick"));
  EXPECT_FALSE(Contains(html, "<img"));
}

TEST(MarkdownTest, JavascriptAndDataLinksAreDropped) {
  std::string html =
      RenderMarkdown("[click](javascript:alert(1)) [x](JAVASCRIPT:alert(1)) [d](data:text/html;base64,PHNjcmlwdD4=)");
  EXPECT_FALSE(Contains(html, "javascript:"));
  EXPECT_FALSE(Contains(html, "JAVASCRIPT:"));
  EXPECT_FALSE(Contains(html, "data:text/html"));
}

TEST(MarkdownTest, BrokenHtmlComesOutInert) {
  std::string html = RenderMarkdown("<div><p onmouseover=\"x()\">unclosed <b>tags <iframe src=//evil>");
  EXPECT_FALSE(Contains(html, "<iframe"));
  EXPECT_FALSE(Contains(html, "onmouseover"));
  EXPECT_FALSE(Contains(html, "<div"));
}

TEST(MarkdownTest, AttributeBreakoutInLinksIsEscaped) {
  std::string html = RenderMarkdown("[x](https://example.org/\"onmouseover=\"alert(1))");
  EXPECT_FALSE(Contains(html, "\"onmouseover"));
}

TEST(MarkdownTest, LinksAreMarkedAsUserContent) {
  std::string html = RenderMarkdown("[site](https://example.org) and www.example.com");
  EXPECT_TRUE(Contains(html, "<a rel=\"nofollow ugc noopener\" href=\"https://example.org\">site</a>"));
  EXPECT_TRUE(Contains(html, "<a rel=\"nofollow ugc noopener\" href=\"http://www.example.com\">"));
}

TEST(MarkdownTest, ImagesBecomeLinksSoNothingLoadsFromOtherHosts) {
  std::string html = RenderMarkdown("![a cat](https://example.org/cat.png)");
  EXPECT_FALSE(Contains(html, "<img"));
  EXPECT_TRUE(Contains(html, "href=\"https://example.org/cat.png\">a cat</a>"));
}

TEST(MarkdownTest, QuotesEveryLine) {
  EXPECT_EQ(QuoteMarkdown("ann", "one\ntwo"), "> **ann** wrote:\n>\n> one\n> two\n\n");
}

}  // namespace
}  // namespace kindred::forum
