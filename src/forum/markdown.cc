#include "forum/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/text.h"

namespace kindred::forum {
namespace {

// The GitHub extensions people expect; "tagfilter" is belt and braces over safe mode.
constexpr const char* kExtensions[] = {"table", "strikethrough", "autolink", "tagfilter"};

// Safe mode is cmark-gfm's default (raw HTML and javascript:/vbscript:/file:/data: links dropped).
// Hard breaks: people writing on a forum expect a new line to stay a new line.
constexpr int kOptions = CMARK_OPT_DEFAULT | CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8;

void EnsureRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

// Images would load from other hosts (which the page forbids, and which leaks readers' addresses),
// so each becomes a plain link to the image, its alt text as the link text.
void ImagesToLinks(cmark_node* document) {
  std::vector<cmark_node*> images;
  cmark_iter* iter = cmark_iter_new(document);
  for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(iter);
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_IMAGE) images.push_back(node);
  }
  cmark_iter_free(iter);
  for (cmark_node* image : images) {
    cmark_node* link = cmark_node_new(CMARK_NODE_LINK);
    const char* url = cmark_node_get_url(image);
    cmark_node_set_url(link, url ? url : "");
    while (cmark_node* child = cmark_node_first_child(image)) {
      cmark_node_unlink(child);
      cmark_node_append_child(link, child);
    }
    if (!cmark_node_first_child(link)) {
      cmark_node* text = cmark_node_new(CMARK_NODE_TEXT);
      cmark_node_set_literal(text, "image");
      cmark_node_append_child(link, text);
    }
    cmark_node_insert_before(image, link);
    cmark_node_unlink(image);
    cmark_node_free(image);
  }
}

// Links in posts are the writers', not ours: search engines must not count them, and the target
// must not get a handle on our window. With raw HTML suppressed, every "<a href" in cmark's
// output is a link cmark made itself, so adding the attribute there is exact.
std::string AddLinkRel(const std::string& html) {
  static constexpr std::string_view kOpen = "<a href=\"";
  static constexpr std::string_view kWithRel = "<a rel=\"nofollow ugc noopener\" href=\"";
  std::string out;
  out.reserve(html.size() + 64);
  std::size_t from = 0;
  for (std::size_t at; (at = html.find(kOpen, from)) != std::string::npos; from = at + kOpen.size()) {
    out.append(html, from, at - from);
    out.append(kWithRel);
  }
  out.append(html, from, std::string::npos);
  return out;
}

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  EnsureRegistered();
  cmark_parser* parser = cmark_parser_new(kOptions);
  for (const char* name : kExtensions) {
    if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser, extension);
    }
  }
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* document = cmark_parser_finish(parser);
  ImagesToLinks(document);
  char* rendered = cmark_render_html(document, kOptions, cmark_parser_get_syntax_extensions(parser));
  std::string html = AddLinkRel(rendered);
  std::free(rendered);
  cmark_node_free(document);
  cmark_parser_free(parser);
  return html;
}

std::string QuoteMarkdown(std::string_view author, std::string_view text) {
  std::string quoted;
  if (!author.empty()) quoted += "> **" + std::string(author) + "** wrote:\n>\n";
  std::string normalized = NormalizeNewlines(Trim(text));
  std::size_t from = 0;
  while (from <= normalized.size()) {
    std::size_t end = normalized.find('\n', from);
    if (end == std::string::npos) end = normalized.size();
    quoted += "> ";
    quoted.append(normalized, from, end - from);
    quoted += '\n';
    from = end + 1;
  }
  quoted += '\n';
  return quoted;
}

}  // namespace kindred::forum
