// Package ui embeds jiefen's templates and static files so the server ships
// as one binary (intranets are offline: no CDN).
package ui

import "embed"

// Files holds templates/ and static/.
//
//go:embed templates static
var Files embed.FS
