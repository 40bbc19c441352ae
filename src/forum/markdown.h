// Markdown to safe HTML through cmark-gfm (tables, autolinks, strikethrough). Raw HTML and
// unsafe URLs (javascript:, data:, vbscript:) are dropped by cmark's safe mode, and every link
// gets rel="nofollow ugc noopener". The output can go into a page as it is.
// Thread-safety: safe from any thread (cmark-gfm's extensions are registered once).
#pragma once

#include <string>
#include <string_view>

namespace kindred::forum {

std::string RenderMarkdown(std::string_view markdown);

// "> " before each line, for quoting part of someone's post in a reply.
std::string QuoteMarkdown(std::string_view author, std::string_view text);

}  // namespace kindred::forum
