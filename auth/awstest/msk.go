package awstest

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
)

// Cluster describes an MSK cluster for [Server.AddCluster]. Zero fields take
// the defaults stated on them.
type Cluster struct {
	// Name is the cluster name; it is unique, as in MSK.
	Name string
	// Type is PROVISIONED when empty.
	Type kafkatypes.ClusterType
	// State is ACTIVE when empty. GetBootstrapBrokers refuses clusters that
	// are CREATING, DELETING or FAILED, as MSK does.
	State kafkatypes.ClusterState
	// KafkaVersion is reported for provisioned clusters; "3.6.0" when empty.
	KafkaVersion string
	// BrokerNodes is reported for provisioned clusters; 3 when zero.
	BrokerNodes int

	// Client authentication modes of a provisioned cluster. A serverless
	// cluster always reports IAM, its only mode, and ignores these.
	IAM             bool
	SCRAM           bool
	TLS             bool
	Unauthenticated bool
	// ClientBroker is the client-to-broker encryption of a provisioned
	// cluster; TLS when empty.
	ClientBroker kafkatypes.ClientBroker

	// Bootstrap is what GetBootstrapBrokers answers; empty strings are left
	// out of the answer, as MSK leaves out modes a cluster does not have.
	Bootstrap Bootstrap
	// ScramSecrets are the secret ARNs ListScramSecrets answers.
	ScramSecrets []string
	// SubnetIDs and SecurityGroupIDs are reported as the serverless
	// VpcConfigs or the provisioned broker node group; one made-up ID each
	// when empty.
	SubnetIDs        []string
	SecurityGroupIDs []string
}

// Bootstrap holds a cluster's bootstrap broker strings, one per listener,
// each "host:port,host:port,...". The comment on each names the
// GetBootstrapBrokers field it becomes.
type Bootstrap struct {
	Plaintext string // BootstrapBrokerString
	TLS       string // BootstrapBrokerStringTls
	SCRAM     string // BootstrapBrokerStringSaslScram
	IAM       string // BootstrapBrokerStringSaslIam

	PublicTLS   string // BootstrapBrokerStringPublicTls
	PublicSCRAM string // BootstrapBrokerStringPublicSaslScram
	PublicIAM   string // BootstrapBrokerStringPublicSaslIam

	VPCTLS   string // BootstrapBrokerStringVpcConnectivityTls
	VPCSCRAM string // BootstrapBrokerStringVpcConnectivitySaslScram
	VPCIAM   string // BootstrapBrokerStringVpcConnectivitySaslIam
}

type cluster struct {
	Cluster
	arn     string
	created time.Time
}

// AddCluster adds c, or replaces the cluster of the same name keeping its
// ARN, and returns the ARN,
// arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID-N (-sN for serverless).
func (s *Server) AddCluster(c Cluster) (arn string) {
	if c.Type == "" {
		c.Type = kafkatypes.ClusterTypeProvisioned
	}
	if c.State == "" {
		c.State = kafkatypes.ClusterStateActive
	}
	if c.KafkaVersion == "" {
		c.KafkaVersion = "3.6.0"
	}
	if c.BrokerNodes == 0 {
		c.BrokerNodes = 3
	}
	if c.ClientBroker == "" {
		c.ClientBroker = kafkatypes.ClientBrokerTls
	}
	if len(c.SubnetIDs) == 0 {
		c.SubnetIDs = []string{"subnet-" + hexFrom("subnet/"+c.Name)}
	}
	if len(c.SecurityGroupIDs) == 0 {
		c.SecurityGroupIDs = []string{"sg-" + hexFrom("sg/"+c.Name)}
	}
	// Copies, so that the caller changing its slices later races with nothing.
	c.ScramSecrets = slices.Clone(c.ScramSecrets)
	c.SubnetIDs = slices.Clone(c.SubnetIDs)
	c.SecurityGroupIDs = slices.Clone(c.SecurityGroupIDs)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cl := range s.clusters {
		if cl.Name == c.Name {
			cl.Cluster = c
			return cl.arn
		}
	}
	suffix := "-2"
	if c.Type == kafkatypes.ClusterTypeServerless {
		suffix = "-s2"
	}
	cl := &cluster{
		Cluster: c,
		arn:     fmt.Sprintf("arn:aws:kafka:%s:%s:cluster/%s/%s%s", Region, Account, c.Name, uuidFrom("cluster/"+c.Name), suffix),
		created: time.Now(),
	}
	s.clusters = append(s.clusters, cl)
	return cl.arn
}

// routeMSK matches the MSK REST routes. Cluster ARNs arrive as one path
// segment with ':' and '/' escaped, so the escaped path is split.
func routeMSK(req *request) (handler, *apiError) {
	req.service = "kafka"
	r := req.r
	path := r.URL.EscapedPath()
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if r.Method == http.MethodGet {
		switch {
		case path == "/api/v2/clusters":
			req.operation = "ListClustersV2"
			return (*Server).listClustersV2, nil
		case len(seg) == 4 && seg[0] == "v1" && seg[1] == "clusters":
			arn, err := url.PathUnescape(seg[2])
			if err != nil {
				break
			}
			req.params = map[string]string{"clusterArn": arn}
			switch seg[3] {
			case "bootstrap-brokers":
				req.operation = "GetBootstrapBrokers"
				return (*Server).getBootstrapBrokers, nil
			case "scram-secrets":
				req.operation = "ListScramSecrets"
				return (*Server).listScramSecrets, nil
			}
		}
	}
	req.operation = r.Method + " " + r.URL.Path
	return nil, &apiError{status: http.StatusBadRequest, code: "UnknownOperationException",
		message: fmt.Sprintf("No operation matches %s %s (not implemented by the awstest server)", r.Method, path)}
}

func badRequest(param, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "BadRequestException", param: param, message: message}
}

// listQuery reads maxResults and nextToken the way every MSK list does.
func (s *Server) listQuery(q url.Values, operation string) (size, offset int, e *apiError) {
	maxResults := 0
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, badRequest("maxResults", "The value of maxResults must be between 1 and 100.")
		}
		maxResults = n
	}
	offset, ok := parseToken(operation, q.Get("nextToken"))
	if !ok {
		return 0, 0, badRequest("nextToken", "The provided nextToken is not valid.")
	}
	return s.pageLen(maxResults), offset, nil
}

// findCluster answers NotFoundException for an unknown ARN and
// BadRequestException for something that is not a cluster ARN.
func (s *Server) findCluster(arn string) (*cluster, *apiError) {
	if !strings.HasPrefix(arn, "arn:aws:kafka:") || !strings.Contains(arn, ":cluster/") {
		return nil, badRequest("clusterArn", "The specified clusterArn is not a valid cluster ARN: "+arn)
	}
	for _, cl := range s.clusters {
		if cl.arn == arn {
			return cl, nil
		}
	}
	return nil, &apiError{status: http.StatusNotFound, code: "NotFoundException", param: "clusterArn",
		message: "The cluster " + arn + " does not exist."}
}

type enabled struct {
	Enabled bool `json:"enabled"`
}

type vpcConfig struct {
	SubnetIDs        []string `json:"subnetIds"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

type clusterInfo struct {
	ClusterArn     string            `json:"clusterArn"`
	ClusterName    string            `json:"clusterName"`
	ClusterType    string            `json:"clusterType"`
	State          string            `json:"state"`
	CreationTime   string            `json:"creationTime"`
	CurrentVersion string            `json:"currentVersion"`
	Tags           map[string]string `json:"tags"`
	Provisioned    *provisioned      `json:"provisioned,omitempty"`
	Serverless     *serverless       `json:"serverless,omitempty"`
}

type provisioned struct {
	BrokerNodeGroupInfo struct {
		BrokerAZDistribution string   `json:"brokerAZDistribution"`
		ClientSubnets        []string `json:"clientSubnets"`
		InstanceType         string   `json:"instanceType"`
		SecurityGroups       []string `json:"securityGroups"`
	} `json:"brokerNodeGroupInfo"`
	CurrentBrokerSoftwareInfo struct {
		KafkaVersion string `json:"kafkaVersion"`
	} `json:"currentBrokerSoftwareInfo"`
	ClientAuthentication struct {
		Sasl struct {
			Scram enabled `json:"scram"`
			Iam   enabled `json:"iam"`
		} `json:"sasl"`
		TLS struct {
			CertificateAuthorityArnList []string `json:"certificateAuthorityArnList"`
			Enabled                     bool     `json:"enabled"`
		} `json:"tls"`
		Unauthenticated enabled `json:"unauthenticated"`
	} `json:"clientAuthentication"`
	EncryptionInfo struct {
		EncryptionAtRest struct {
			DataVolumeKMSKeyID string `json:"dataVolumeKMSKeyId"`
		} `json:"encryptionAtRest"`
		EncryptionInTransit struct {
			ClientBroker string `json:"clientBroker"`
			InCluster    bool   `json:"inCluster"`
		} `json:"encryptionInTransit"`
	} `json:"encryptionInfo"`
	EnhancedMonitoring  string `json:"enhancedMonitoring"`
	NumberOfBrokerNodes int    `json:"numberOfBrokerNodes"`
	StorageMode         string `json:"storageMode"`
}

type serverless struct {
	VpcConfigs           []vpcConfig `json:"vpcConfigs"`
	ClientAuthentication struct {
		Sasl struct {
			Iam enabled `json:"iam"`
		} `json:"sasl"`
	} `json:"clientAuthentication"`
}

func (cl *cluster) info() clusterInfo {
	out := clusterInfo{
		ClusterArn:     cl.arn,
		ClusterName:    cl.Name,
		ClusterType:    string(cl.Type),
		State:          string(cl.State),
		CreationTime:   cl.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		CurrentVersion: idFrom(cl.arn, 14),
		Tags:           map[string]string{},
	}
	if cl.Type == kafkatypes.ClusterTypeServerless {
		sl := &serverless{VpcConfigs: []vpcConfig{{SubnetIDs: cl.SubnetIDs, SecurityGroupIDs: cl.SecurityGroupIDs}}}
		sl.ClientAuthentication.Sasl.Iam.Enabled = true
		out.Serverless = sl
		return out
	}
	p := &provisioned{EnhancedMonitoring: "DEFAULT", NumberOfBrokerNodes: cl.BrokerNodes, StorageMode: "LOCAL"}
	p.BrokerNodeGroupInfo.BrokerAZDistribution = "DEFAULT"
	p.BrokerNodeGroupInfo.ClientSubnets = cl.SubnetIDs
	p.BrokerNodeGroupInfo.InstanceType = "kafka.m5.large"
	p.BrokerNodeGroupInfo.SecurityGroups = cl.SecurityGroupIDs
	p.CurrentBrokerSoftwareInfo.KafkaVersion = cl.KafkaVersion
	auth := &p.ClientAuthentication
	auth.Sasl.Iam.Enabled = cl.IAM
	auth.Sasl.Scram.Enabled = cl.SCRAM
	auth.TLS.Enabled = cl.TLS
	auth.TLS.CertificateAuthorityArnList = []string{}
	auth.Unauthenticated.Enabled = cl.Unauthenticated
	p.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyID = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", Region, Account, uuidFrom("kms/"+cl.Name))
	p.EncryptionInfo.EncryptionInTransit.ClientBroker = string(cl.ClientBroker)
	p.EncryptionInfo.EncryptionInTransit.InCluster = true
	out.Provisioned = p
	return out
}

type listClustersV2Output struct {
	ClusterInfoList []clusterInfo `json:"clusterInfoList"`
	NextToken       string        `json:"nextToken,omitempty"`
}

// listClustersV2 lists in the order clusters were added; clusterNameFilter
// is a case-sensitive prefix, as MSK documents it.
func (s *Server) listClustersV2(req *request) (any, *apiError) {
	q := req.r.URL.Query()
	size, offset, e := s.listQuery(q, "ListClustersV2")
	if e != nil {
		return nil, e
	}
	typ := kafkatypes.ClusterType(q.Get("clusterTypeFilter"))
	if typ != "" && typ != kafkatypes.ClusterTypeProvisioned && typ != kafkatypes.ClusterTypeServerless {
		return nil, badRequest("clusterTypeFilter", "The value of clusterTypeFilter must be PROVISIONED or SERVERLESS.")
	}
	var matched []*cluster
	for _, cl := range s.clusters {
		if strings.HasPrefix(cl.Name, q.Get("clusterNameFilter")) && (typ == "" || cl.Type == typ) {
			matched = append(matched, cl)
		}
	}
	lo, hi, next := page(len(matched), offset, size)
	out := listClustersV2Output{ClusterInfoList: []clusterInfo{}}
	for _, cl := range matched[lo:hi] {
		out.ClusterInfoList = append(out.ClusterInfoList, cl.info())
	}
	if next >= 0 {
		out.NextToken = nextToken("ListClustersV2", next)
	}
	return out, nil
}

type getBootstrapBrokersOutput struct {
	BootstrapBrokerString                         string `json:"bootstrapBrokerString,omitempty"`
	BootstrapBrokerStringTLS                      string `json:"bootstrapBrokerStringTls,omitempty"`
	BootstrapBrokerStringSaslScram                string `json:"bootstrapBrokerStringSaslScram,omitempty"`
	BootstrapBrokerStringSaslIam                  string `json:"bootstrapBrokerStringSaslIam,omitempty"`
	BootstrapBrokerStringPublicTLS                string `json:"bootstrapBrokerStringPublicTls,omitempty"`
	BootstrapBrokerStringPublicSaslScram          string `json:"bootstrapBrokerStringPublicSaslScram,omitempty"`
	BootstrapBrokerStringPublicSaslIam            string `json:"bootstrapBrokerStringPublicSaslIam,omitempty"`
	BootstrapBrokerStringVpcConnectivityTLS       string `json:"bootstrapBrokerStringVpcConnectivityTls,omitempty"`
	BootstrapBrokerStringVpcConnectivitySaslScram string `json:"bootstrapBrokerStringVpcConnectivitySaslScram,omitempty"`
	BootstrapBrokerStringVpcConnectivitySaslIam   string `json:"bootstrapBrokerStringVpcConnectivitySaslIam,omitempty"`
}

func (s *Server) getBootstrapBrokers(req *request) (any, *apiError) {
	cl, e := s.findCluster(req.params["clusterArn"])
	if e != nil {
		return nil, e
	}
	switch cl.State {
	case kafkatypes.ClusterStateCreating, kafkatypes.ClusterStateDeleting, kafkatypes.ClusterStateFailed:
		return nil, badRequest("", fmt.Sprintf("You can't get bootstrap broker nodes for a cluster in %s state.", cl.State))
	}
	b := cl.Bootstrap
	return getBootstrapBrokersOutput{
		BootstrapBrokerString:                         b.Plaintext,
		BootstrapBrokerStringTLS:                      b.TLS,
		BootstrapBrokerStringSaslScram:                b.SCRAM,
		BootstrapBrokerStringSaslIam:                  b.IAM,
		BootstrapBrokerStringPublicTLS:                b.PublicTLS,
		BootstrapBrokerStringPublicSaslScram:          b.PublicSCRAM,
		BootstrapBrokerStringPublicSaslIam:            b.PublicIAM,
		BootstrapBrokerStringVpcConnectivityTLS:       b.VPCTLS,
		BootstrapBrokerStringVpcConnectivitySaslScram: b.VPCSCRAM,
		BootstrapBrokerStringVpcConnectivitySaslIam:   b.VPCIAM,
	}, nil
}

type listScramSecretsOutput struct {
	SecretArnList []string `json:"secretArnList"`
	NextToken     string   `json:"nextToken,omitempty"`
}

func (s *Server) listScramSecrets(req *request) (any, *apiError) {
	cl, e := s.findCluster(req.params["clusterArn"])
	if e != nil {
		return nil, e
	}
	if cl.Type == kafkatypes.ClusterTypeServerless {
		return nil, badRequest("clusterArn", "This operation is not supported for serverless clusters.")
	}
	size, offset, e := s.listQuery(req.r.URL.Query(), "ListScramSecrets")
	if e != nil {
		return nil, e
	}
	lo, hi, next := page(len(cl.ScramSecrets), offset, size)
	out := listScramSecretsOutput{SecretArnList: append([]string{}, cl.ScramSecrets[lo:hi]...)}
	if next >= 0 {
		out.NextToken = nextToken("ListScramSecrets", next)
	}
	return out, nil
}

// hexFrom makes the 17 hex digits of a VPC resource ID, stable for a seed.
func hexFrom(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("%x", sum[:9])[:17]
}
