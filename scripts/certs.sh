#!/usr/bin/env bash
# Makes the certificates of a secure ReSqlite cluster with openssl:
#
#   scripts/certs.sh [DIR]                  two CAs, a node certificate and
#                                           a client certificate in DIR
#                                           (default resqlite-data/certs)
#   scripts/certs.sh node NAME HOSTS [DIR]  another node certificate,
#                                           NAME.pem, for the comma-separated
#                                           IPs and DNS names HOSTS
#
# DIR then holds:
#   node-ca.pem      the CA of the nodes (-peer-ca; -ca of clients)
#   client-ca.pem    the CA of client certificates (-client-ca)
#   node.pem         a node certificate (-cert, key node-key.pem) for
#                    $RESQLITE_CERT_HOSTS (default 127.0.0.1,localhost),
#                    with the node marker, the URI SAN resqlite:node
#   client.pem       a client certificate (-cert of -connect, key
#                    client-key.pem), without the marker
# The CAs' keys (*-ca-key.pem) sign more certificates; keep them offline.
# Existing CAs are kept, so new certificates chain to the same CAs.
set -euo pipefail

# newkey writes a new P-256 private key to file, readable by its owner only.
newkey() { # file
	(umask 077 && openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$1")
}

# ca makes the CA name in dir unless it exists.
ca() { # dir name
	[ -f "$1/$2-ca.pem" ] && return 0
	newkey "$1/$2-ca-key.pem"
	openssl req -x509 -new -key "$1/$2-ca-key.pem" -sha256 -days 3650 -subj "/CN=ReSqlite $2 CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out "$1/$2-ca.pem" 2>/dev/null
}

# sans turns "127.0.0.1,host" into "IP:127.0.0.1,DNS:host".
sans() { # hosts
	local out="" h
	IFS=, read -ra hs <<<"$1"
	for h in "${hs[@]}"; do
		[ -n "$h" ] || continue
		if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then out+=",IP:$h"; else out+=",DNS:$h"; fi
	done
	echo "${out#,}"
}

# leaf signs the certificate name.pem with CA ca; extra SANs in san.
leaf() { # dir ca name cn san
	local dir=$1 ca=$2 name=$3 cn=$4 san=$5 ext
	newkey "$dir/$name-key.pem"
	ext=$(mktemp)
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "extendedKeyUsage=serverAuth,clientAuth"
		[ -n "$san" ] && echo "subjectAltName=$san"
	} >"$ext"
	openssl req -new -key "$dir/$name-key.pem" -subj "/CN=$cn" 2>/dev/null |
		openssl x509 -req -CA "$dir/$ca-ca.pem" -CAkey "$dir/$ca-ca-key.pem" -CAcreateserial -sha256 -days 825 \
			-extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
	rm -f "$ext"
	echo "$dir/$name.pem ($cn${san:+, $san})"
}

node() { # dir name hosts
	ca "$1" node
	leaf "$1" node "$2" "$2" "URI:resqlite:node,$(sans "$3")"
}

if [ "${1:-}" = node ]; then
	if [ $# -lt 3 ]; then
		echo "usage: $0 node NAME HOSTS [DIR]" >&2
		exit 2
	fi
	dir=${4:-resqlite-data/certs}
	mkdir -p "$dir" && chmod 700 "$dir"
	node "$dir" "$2" "$3"
	exit 0
fi
dir=${1:-resqlite-data/certs}
mkdir -p "$dir" && chmod 700 "$dir"
ca "$dir" node
ca "$dir" client
node "$dir" node "${RESQLITE_CERT_HOSTS:-127.0.0.1,localhost}"
leaf "$dir" client client client ""
echo "certificates in $dir; then: scripts/cluster.sh start --tls"
