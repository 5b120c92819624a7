package jetstream

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// Inbox prefixes. Every identity receives its replies on its own prefix
// and may subscribe to nothing else, so that none sees another's answers
// (a token's secret, a key-value record).
const (
	// rootInboxPrefix is the in-process identity's.
	rootInboxPrefix = "_GRANTS_ROOT"
	// ServiceInboxPrefix is the service identity's (connect with
	// nats.CustomInboxPrefix(ServiceInboxPrefix)).
	ServiceInboxPrefix = "_GRANTS_SVC"
	// ServeInboxPrefix is the one of a grants serve that connects to an
	// external cluster with an identity of every right (connect with
	// nats.CustomInboxPrefix(ServeInboxPrefix)): neither the service nor
	// the reader identity may subscribe to it, so neither sees the
	// answers grants serve gets (a token, a key-value record).
	ServeInboxPrefix = "_GRANTS_SERVE"
	// readerInboxPrefix is the reader's: the nats CLI's default.
	readerInboxPrefix = "_INBOX"
)

// AdminSubjects are the subjects of the requests a running grants serve
// answers (rebuild, tokens): the service identity may publish to them.
const AdminSubjects = "grants-admin.>"

// Identity is a user of the embedded server: a public nkey and what it may
// do. Its seed stays with whoever connects as it.
type Identity struct {
	// Name says who it is, for the log.
	Name string
	// PublicKey is the user's public nkey (starts with U).
	PublicKey string
	// Permissions is what the user may publish and subscribe to; nil is
	// refused (only the in-process identity has every right).
	Permissions *server.Permissions
}

func nkeyUsers(root nkeys.KeyPair, ids []Identity) ([]*server.NkeyUser, error) {
	pub, err := root.PublicKey()
	if err != nil {
		return nil, err
	}
	users := []*server.NkeyUser{{Nkey: pub}}
	for _, id := range ids {
		if !nkeys.IsValidPublicUserKey(id.PublicKey) {
			return nil, fmt.Errorf("nats identity %s: %q is not a public user nkey", id.Name, id.PublicKey)
		}
		if id.Permissions == nil {
			return nil, fmt.Errorf("nats identity %s has no permissions: refusing to give it every right", id.Name)
		}
		users = append(users, &server.NkeyUser{Nkey: id.PublicKey, Permissions: id.Permissions})
	}
	return users, nil
}

// streamReadSubjects are the JetStream API subjects that read the GRANTS
// stream and its messages: stream info, message gets, and consumers on the
// stream (ordered consumers of stream views and replays).
func streamReadSubjects() []string {
	s := StreamName
	return []string{
		"$JS.API.INFO",
		"$JS.API.STREAM.INFO." + s,
		"$JS.API.STREAM.MSG.GET." + s,
		"$JS.API.DIRECT.GET." + s, "$JS.API.DIRECT.GET." + s + ".>",
		"$JS.API.CONSUMER.CREATE." + s, "$JS.API.CONSUMER.CREATE." + s + ".>",
		"$JS.API.CONSUMER.INFO." + s + ".*",
		"$JS.API.CONSUMER.DELETE." + s + ".*",
		"$JS.API.CONSUMER.MSG.NEXT." + s + ".*",
		"$JS.API.CONSUMER.NAMES." + s, "$JS.API.CONSUMER.LIST." + s,
		"$JS.ACK." + s + ".>",
		"$JS.FC." + s + ".>",
	}
}

// deniedSubjects are denied to every identity handed out, whatever it is
// allowed: event publishes, every key-value operation, every subject key's
// publish, and every API call
// that creates, changes, deletes, purges, snapshots or restores a stream,
// deletes a message, or reaches the server or the cluster.
func deniedSubjects() []string {
	return []string{
		"grants.>",
		"$KV.>",
		"$PII.>",
		"$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>",
		"$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>",
		"$JS.API.STREAM.MSG.DELETE.>",
		"$JS.API.STREAM.SNAPSHOT.>", "$JS.API.STREAM.RESTORE.>",
		"$JS.API.STREAM.PEER.>", "$JS.API.STREAM.LEADER.>",
		"$JS.API.ACCOUNT.>", "$JS.API.META.>", "$JS.API.SERVER.>",
		"$SYS.>",
	}
}

// ServicePermissions is what the service identity may do: read the GRANTS
// stream (as the reader may) and send requests to a running grants serve.
// It may not publish events, write or read any key-value bucket, nor
// create, change, delete or purge any stream; token changes go through
// grants serve's admin requests.
func ServicePermissions() *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: append(streamReadSubjects(), AdminSubjects),
			Deny:  deniedSubjects(),
		},
		Subscribe: &server.SubjectPermission{Allow: []string{ServiceInboxPrefix + ".>"}, Deny: []string{AdminSubjects}},
	}
}

// ReaderPermissions is what the reader identity may do: stream info, the
// stream's messages, and the consumers a stream view needs; replies on the
// nats CLI's _INBOX prefix. No publish to grants.>, no delete or purge, no
// key-value access, no admin request.
func ReaderPermissions() *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: streamReadSubjects(),
			Deny:  append(deniedSubjects(), AdminSubjects),
		},
		Subscribe: &server.SubjectPermission{Allow: []string{readerInboxPrefix + ".>"}, Deny: []string{AdminSubjects}},
	}
}

// LoadOrCreateSeed reads the user nkey seed in path, or creates it (mode
// 0600, never overwriting a file) when it does not exist. A seed file that
// others may read is refused.
func LoadOrCreateSeed(path string) (nkeys.KeyPair, error) {
	kp, err := loadSeed(path)
	if !errors.Is(err, os.ErrNotExist) {
		return kp, err
	}
	kp, err = nkeys.CreateUser()
	if err != nil {
		return nil, err
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadSeed(path) // created meanwhile by another process
	}
	if err != nil {
		return nil, fmt.Errorf("creating nats identity %s: %w", path, err)
	}
	_, err = f.Write(append(seed, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("writing nats identity %s: %w", path, err)
	}
	return kp, nil
}

func loadSeed(path string) (nkeys.KeyPair, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("nats identity %s may be read by others (mode %04o): chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("nats identity %s: %w", path, err)
	}
	if pub, _ := kp.PublicKey(); !nkeys.IsValidPublicUserKey(pub) {
		return nil, fmt.Errorf("nats identity %s is not a user nkey seed", path)
	}
	return kp, nil
}
