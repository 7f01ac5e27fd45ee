// Server-rendered web pages, in French, accessible (semantic HTML, RGAA),
// usable without JavaScript, styled with Pico CSS. They call the same app
// services as the API.
#pragma once

#include <string>

#include "app/catalogue.h"
#include "app/ledger.h"
#include "http/router.h"

namespace limpide::web {

struct WebOptions {
  std::string static_dir;  // served under /static/ (pico.min.css, limpide.css)
  // When set, /registre shows the transparency ledger. Must outlive the router.
  app::LedgerService* ledger = nullptr;
};

// Adds GET /, /contrats, /contrats/{uid}, /organisations/{id}, /registre,
// /static/{file}.
void RegisterWeb(http::Router& router, const app::Catalogue& catalogue, const WebOptions& options);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string Escape(std::string_view s);

}  // namespace limpide::web
