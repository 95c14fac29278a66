// convert.cc writes dlib_face_recognition_resnet_model_v1.dat from the
// parameter stream made by tfjs2raw.
//
//   convert PARAMS.f32 OUT.dat
//
// It builds exactly the network go-face's facerec.cc deserializes (dlib's
// dnn_face_recognition_ex.cpp anet_type), fills every parameter from the
// stream and serializes it with the dlib it is compiled against: the file's
// serialization tags are that dlib's, so build it with the deployed dlib
// (Debian 12: libdlib-dev 19.24).
//
// The stream is little-endian float32, computational layers from the input
// to the output: per convolution its filters [out][in][h][w] then bias, then
// the following affine layer's gamma then beta; last the fc matrix
// [256 inputs][128 outputs]. Every value must be used exactly once.

#include <dlib/dnn.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

using namespace dlib;

// The network, copied from go-face's facerec.cc.
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;

template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;

template <int N, template <typename> class BN, int stride, typename SUBNET>
using block  = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>;

template <int N, typename SUBNET> using ares      = relu<residual<block,N,affine,SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;

template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;

using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
                            alevel0<
                            alevel1<
                            alevel2<
                            alevel3<
                            alevel4<
                            max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,
                            input_rgb_image_sized<150>
                            >>>>>>>>>>>>;

static const size_t kNumParams = 5614592;
static const size_t kNumCon = 29, kNumAffine = 29, kNumFc = 1;

// Sets every affine layer to per-channel mode. dlib's default is per-element
// (FC_MODE), which would allocate gamma and beta per pixel on setup.
struct set_conv_mode {
    void operator()(affine_& l) const { l = affine_(CONV_MODE); }
    template <typename T> void operator()(T&) const {}
};

// A slot is one parameter tensor to fill, named for error messages.
struct slot {
    std::string kind;
    tensor* t;
};

// Lists the parameter tensors in visiting order (output to input).
struct collect {
    std::vector<slot>* out;
    template <long N, long NR, long NC, int SY, int SX, int PY, int PX>
    void operator()(con_<N,NR,NC,SY,SX,PY,PX>& l) const {
        out->push_back({"con", &l.get_layer_params()});
    }
    void operator()(affine_& l) const {
        // Pushed in reverse because the list is reversed afterwards: the
        // stream holds gamma, then beta. Both alias the layer's params.
        out->push_back({"affine beta", new alias_tensor_instance(l.get_beta())});
        out->push_back({"affine gamma", new alias_tensor_instance(l.get_gamma())});
    }
    template <unsigned long N, fc_bias_mode B>
    void operator()(fc_<N,B>& l) const {
        out->push_back({"fc", &l.get_layer_params()});
    }
    template <typename T> void operator()(T&) const {}
};

static std::vector<float> read_stream(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() % 4 != 0)
        throw std::runtime_error(path + ": size " + std::to_string(bytes.size()) + " is not a multiple of 4");
    std::vector<float> v(bytes.size() / 4);
    for (size_t i = 0; i < v.size(); i++) {
        const unsigned char* b = reinterpret_cast<const unsigned char*>(&bytes[4 * i]);
        uint32_t u = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
        std::memcpy(&v[i], &u, 4);
    }
    return v;
}

int main(int argc, char** argv) try {
    if (argc != 3) {
        std::cerr << "usage: convert PARAMS.f32 OUT.dat\n";
        return 2;
    }
    const std::vector<float> params = read_stream(argv[1]);
    if (params.size() != kNumParams)
        throw std::runtime_error(std::string(argv[1]) + ": " + std::to_string(params.size()) +
                                 " values, want " + std::to_string(kNumParams));

    anet_type net;
    visit_computational_layers(net, set_conv_mode());

    // One forward pass runs every layer's setup, which allocates the
    // parameters (con_ fills them with random values: all are overwritten).
    matrix<rgb_pixel> dummy(150, 150);
    dummy = rgb_pixel(0, 0, 0);
    net(dummy);

    std::vector<slot> slots;
    visit_computational_layers(net, collect{&slots});
    std::reverse(slots.begin(), slots.end());

    size_t used = 0, ncon = 0, naffine = 0, nfc = 0;
    for (const slot& s : slots) {
        const size_t n = s.t->size();
        if (used + n > params.size())
            throw std::runtime_error("stream too short at a " + s.kind + " layer of " + std::to_string(n) + " values");
        std::memcpy(s.t->host(), params.data() + used, n * sizeof(float));
        used += n;
        if (s.kind == "con") ncon++;
        else if (s.kind == "affine gamma") naffine++;
        else if (s.kind == "fc") nfc++;
    }
    for (const slot& s : slots)
        if (s.kind.rfind("affine", 0) == 0) delete static_cast<alias_tensor_instance*>(s.t);

    if (ncon != kNumCon || naffine != kNumAffine || nfc != kNumFc)
        throw std::runtime_error("network has " + std::to_string(ncon) + " con, " + std::to_string(naffine) +
                                 " affine, " + std::to_string(nfc) + " fc layers; want 29, 29, 1");
    if (used != kNumParams)
        throw std::runtime_error("network took " + std::to_string(used) + " parameters, stream has " +
                                 std::to_string(kNumParams));

    // Drop the dummy pass's cached outputs: they would be serialized too.
    net.clean();
    serialize(argv[2]) << net;
    std::cerr << "convert: " << ncon << " con, " << naffine << " affine, " << nfc << " fc layers; "
              << used << " parameters written to " << argv[2] << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "convert: " << e.what() << "\n";
    return 1;
}
