package harness

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// WebhookHeaders signs a CI/CD webhook body with secret at a time, as a CI system
// does (README, CI/CD webhook): an HMAC-SHA256 of "<unix seconds>.<body>".
func WebhookHeaders(secret string, at time.Time, body []byte) map[string]string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", at.Unix())
	m.Write(body)
	return map[string]string{
		"X-DevOps-Timestamp": strconv.FormatInt(at.Unix(), 10),
		"X-DevOps-Signature": "sha256=" + hex.EncodeToString(m.Sum(nil)),
	}
}
