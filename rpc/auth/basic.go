package auth

import (
	"encoding/base64"
	"errors"
	"strings"
)

// MetadataKey is the gRPC metadata key of a client's credentials.
const MetadataKey = "authorization"

// maxCredentialBytes bounds a credentials header.
const maxCredentialBytes = 4096

// BasicHeader returns the value of the authorization metadata for name
// and password (HTTP basic authentication, RFC 7617).
func BasicHeader(name, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+password))
}

// ParseBasic parses an authorization value written by BasicHeader.
func ParseBasic(header string) (name, password string, err error) {
	if len(header) > maxCredentialBytes {
		return "", "", errors.New("credentials too long")
	}
	scheme, encoded, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", errors.New(`credentials are not "Basic <base64>"`)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", "", errors.New("credentials are not valid base64")
	}
	name, password, ok = strings.Cut(string(raw), ":")
	if !ok || name == "" {
		return "", "", errors.New(`credentials are not "name:password"`)
	}
	return name, password, nil
}
